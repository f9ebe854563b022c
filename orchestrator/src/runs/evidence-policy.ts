import { readFileSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { writeFileAtomic } from '../repo/atomic-write.js';
import type { EvidencePolicy } from '../repo/config.js';
import { GZIP_SUFFIX } from './artifact-store.js';
import type { ArtifactRecord } from './manifest-types.js';
import type { RunRecorder } from './run-recorder.js';

/** Below this, gzip saves little and a plain log stays readable with `cat`. */
export const COMPRESS_MIN_BYTES = 4096;

/** Logs and transcripts: the artifacts that are stored compressed. */
const COMPRESSIBLE = /\.(log|ndjson)$/;

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/**
 * Applies the evidence policy to a run that has ended (after the last redaction pass, which must
 * see plain text): an artifact over `max_artifact_bytes` is cut there and ends with the same
 * `[truncated: <bytes> bytes, sha256 <hash>]` line as a capped log, the manifest keeping the full
 * size and hash; then, with `compress`, logs and transcripts of `COMPRESS_MIN_BYTES` or more are
 * stored as `<path>.gz` (`encoding: 'gzip'`, the hash still of the uncompressed content).
 *
 * Crash-safe in this order: the `.gz` files are written, the manifest naming them saved, and only
 * then the plain files removed; a kill in between leaves both, and the manifest names one of them.
 */
export function applyEvidencePolicy(recorder: RunRecorder, policy: EvidencePolicy): void {
  const plainToRemove: string[] = [];
  for (const artifact of recorder.manifest.artifacts) {
    if (artifact.encoding) continue; // applied already
    const abs = join(recorder.root, artifact.path);
    let data: Buffer;
    try {
      data = readFileSync(abs);
    } catch {
      continue; // verify reports a missing artifact
    }
    if (data.length > policy.max_artifact_bytes) {
      data = cutAt(data, policy.max_artifact_bytes, artifact);
      writeFileAtomic(abs, data);
    }
    if (policy.compress && COMPRESSIBLE.test(artifact.path) && data.length >= COMPRESS_MIN_BYTES) {
      writeFileAtomic(`${abs}${GZIP_SUFFIX}`, gzipSync(data));
      artifact.encoding = 'gzip';
      plainToRemove.push(abs);
    }
  }
  recorder.save();
  for (const abs of plainToRemove) rmSync(abs, { force: true });
}

/** Cuts `data` to `max` bytes plus the truncation line, updating the artifact's record. */
function cutAt(data: Buffer, max: number, artifact: ArtifactRecord): Buffer {
  // a log capped while captured keeps the size and hash of the whole output it was cut from
  const full = artifact.truncated ?? { bytes: data.length, sha256: sha256(data) };
  const kept = data.subarray(0, max);
  const newline = kept.length > 0 && kept[kept.length - 1] !== 0x0a ? '\n' : '';
  const cut = Buffer.concat([
    kept,
    Buffer.from(`${newline}[truncated: ${full.bytes} bytes, sha256 ${full.sha256}]\n`),
  ]);
  artifact.sha256 = sha256(cut);
  artifact.bytes = cut.length;
  artifact.truncated = full;
  return cut;
}
