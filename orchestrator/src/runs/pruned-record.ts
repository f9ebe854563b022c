import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateRunPruned } from '../generated/validators.js';
import { writeFileAtomic } from '../repo/atomic-write.js';

/** Beside the manifest: which artifacts `cxo runs gc` removed the bytes of (schemas/run-pruned.schema.json). */
export const PRUNED = 'pruned.json';

export interface PrunedArtifact {
  path: string;
  sha256: string;
  bytes: number;
  at: string;
}

export interface PrunedRecord {
  version: 1;
  pruned: PrunedArtifact[];
}

/**
 * A run's pruned record (`{version: 1, pruned: []}` when it has none). It lives outside the
 * manifest so that pruning changes neither the manifest nor the digest its sign-offs signed.
 * Input like any file of the repository: one that does not parse or match its schema is an error
 * naming the file.
 */
export function readPruned(root: string, runDir: string): PrunedRecord {
  const path = join(root, runDir, PRUNED);
  if (!existsSync(path)) return { version: 1, pruned: [] };
  return parsePruned(readFileSync(path, 'utf8'), `${runDir}/${PRUNED}`);
}

/** A pruned record's text, checked against its schema; `where` names it in the error. */
export function parsePruned(text: string, where: string): PrunedRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`${where} is not JSON: ${(e as Error).message}`, { cause: e });
  }
  if (!validateRunPruned(value)) {
    const first = validateRunPruned.errors?.[0];
    throw new Error(
      `${where} does not match its schema: ${first?.instancePath || '/'} ${first?.message ?? ''}`.trim(),
    );
  }
  return value as PrunedRecord;
}

export function prunedJson(record: PrunedRecord): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}

export function writePruned(root: string, runDir: string, record: PrunedRecord): void {
  writeFileAtomic(join(root, runDir, PRUNED), prunedJson(record));
}
