import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCHEMA_HASH, VERSION } from '../generated/version.js';
import { writeFileAtomic } from '../repo/atomic-write.js';
import { requireGitDir } from '../repo/git-dir.js';

/**
 * The task index blobs a status write-back has already checked, by git object id. A blob id names
 * its content, so once a blob passed the check (JSON, one "tasks" key), or was written by a checked
 * one-task edit of one that did, the next write-back starting from it need not parse the whole
 * file again. The list is kept per orchestrator version and schema set, in .git, and holds the
 * most recent few blobs.
 */
const HEADER = `cxo-valid-index-blobs ${VERSION} ${SCHEMA_HASH}`;
const KEEP = 64;

function fileOf(root: string): string {
  return join(requireGitDir(root), 'codex-orchestrator', 'valid-index-blobs');
}

function read(root: string): string[] {
  try {
    const [header, ...blobs] = readFileSync(fileOf(root), 'utf8').split('\n');
    return header === HEADER ? blobs.filter((b) => /^[0-9a-f]{40,64}$/.test(b)) : [];
  } catch {
    return [];
  }
}

export function isKnownValid(root: string, blob: string): boolean {
  return read(root).includes(blob);
}

export function rememberValid(root: string, blob: string): void {
  const file = fileOf(root);
  const blobs = read(root);
  if (blobs.includes(blob)) return;
  mkdirSync(join(file, '..'), { recursive: true });
  if (blobs.length === 0 || blobs.length >= KEEP * 2) {
    writeFileAtomic(file, `${[HEADER, ...blobs.slice(-KEEP), blob].join('\n')}\n`);
  } else appendFileSync(file, `${blob}\n`);
}
