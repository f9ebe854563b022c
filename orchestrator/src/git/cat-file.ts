import { gitBytes, gitBytesViaFile } from './git.js';

/** From this many names on, git's answer comes through a temp file (see gitBytesViaFile). */
const MANY = 100;

/**
 * `<rev>:<path>` (or object id) → the object's bytes, read by one `git cat-file --batch`; names git
 * cannot resolve, and objects that are not blobs, are absent from the map. Through the hardened
 * runner like every git call, so no textconv or filter runs.
 */
export function readBlobs(root: string, names: readonly string[]): Map<string, Buffer> {
  return readObjects(root, names, 'blob');
}

function readObjects(root: string, names: readonly string[], type: 'blob' | 'tree'): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  if (names.length === 0) return out;
  // --buffer: one flush at the end, not one per object (nobody reads the answers as they come)
  const args = ['cat-file', '--batch', '--buffer'];
  const input = `${names.join('\n')}\n`;
  const read = names.length >= MANY ? gitBytesViaFile : gitBytes;
  const data = read(root, args, { input }).stdout;
  let at = 0;
  for (const name of names) {
    const eol = data.indexOf(10, at);
    if (eol < 0) break;
    const header = data.subarray(at, eol).toString('utf8');
    at = eol + 1;
    // `<name> missing` (or `ambiguous`) has no body
    const m = /^\S+ (\w+) (\d+)$/.exec(header);
    if (!m) continue;
    const size = Number(m[2]);
    if (m[1] === type) out.set(name, data.subarray(at, at + size));
    at += size + 1;
  }
  return out;
}

/** The raw bytes of the trees `names` resolve to (by name); a name that is no tree is absent. */
export function readTrees(root: string, names: readonly string[]): Map<string, Buffer> {
  return readObjects(root, names, 'tree');
}

/** One blob's bytes, or undefined when `name` does not resolve to a blob. */
export function readBlob(root: string, name: string): Buffer | undefined {
  return readBlobs(root, [name]).get(name);
}
