import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Replaces a cache file: a temp file in the same directory renamed over it, so a reader sees the
 * old content or the new, never a torn one. No fsync (writeFileAtomic's): a cache lost in a crash
 * is rebuilt, and a read command should not wait for the disk.
 */
export function writeCacheFile(path: string, content: string): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  try {
    writeFileSync(tmp, content, { flag: 'wx', mode: 0o644 });
    renameSync(tmp, path);
  } finally {
    rmSync(tmp, { force: true });
  }
}
