import { constants } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { ArtifactRecord, RunManifest } from './manifest-types.js';

/** Suffix of an artifact stored gzip-compressed (`encoding: 'gzip'`). */
export const GZIP_SUFFIX = '.gz';

/** Where an artifact's bytes are on disk, repository-relative: its path, or `<path>.gz` when compressed. */
export function storedPathOf(artifact: Pick<ArtifactRecord, 'path' | 'encoding'>): string {
  return artifact.encoding === 'gzip' ? `${artifact.path}${GZIP_SUFFIX}` : artifact.path;
}

/**
 * An artifact's content as it was recorded (decompressed), for every reader of run evidence, so
 * none depends on how it is stored. A compressed file that inflates beyond the size the manifest
 * records is not read further (a gzip bomb in a state ref another clone wrote): the error says so.
 * Throws what readFileSync throws (ENOENT for a missing or pruned file).
 */
export function readArtifact(
  root: string,
  artifact: Pick<ArtifactRecord, 'path' | 'encoding' | 'bytes'>,
): Buffer {
  const stored = readFileSync(join(root, storedPathOf(artifact)));
  if (artifact.encoding !== 'gzip') return stored;
  const bytes = Number(artifact.bytes);
  const limit = Number.isSafeInteger(bytes) && bytes >= 0 ? Math.min(bytes + 1, constants.MAX_LENGTH) : 1;
  return gunzipSync(stored, { maxOutputLength: limit });
}

/**
 * A file of a run named by path (`diff.artifact`, a review's artifact): read through its
 * artifact record when the manifest lists it, else as a plain file.
 */
export function readRunFile(root: string, manifest: Pick<RunManifest, 'artifacts'>, path: string): Buffer {
  const record = Array.isArray(manifest.artifacts)
    ? manifest.artifacts.find((a) => a?.path === path)
    : undefined;
  return record ? readArtifact(root, record) : readFileSync(join(root, path));
}
