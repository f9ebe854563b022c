import { closeSync, fsyncSync, linkSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { link, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Thrown by `writeFileAtomic(..., { createOnly: true })` when the target already exists. */
export class FileExistsError extends Error {
  constructor(readonly path: string) {
    super(`${path} already exists`);
  }
}

/**
 * Writes a file so that a crash at any instant leaves either the old or the new content:
 * temp file in the same directory, fsync, rename over the target, fsync the directory.
 * With `createOnly`, the temp file is hard-linked to the target instead, which fails if the
 * target exists: a new file never replaces one, even one created a moment ago by someone else.
 */
export function writeFileAtomic(
  path: string,
  content: string | Uint8Array,
  options: { createOnly?: boolean } = {},
): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  const fd = openSync(tmp, 'wx', 0o644);
  try {
    writeSync(fd, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  try {
    if (options.createOnly) linkSync(tmp, path);
    else renameSync(tmp, path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new FileExistsError(path);
    throw e;
  } finally {
    // after a link the temp name is a second name for the file; after a rename it is gone already
    rmSync(tmp, { force: true });
  }
  fsyncDirectory(dir);
}

/**
 * `writeFileAtomic` for many files at once: the same temp file, fsync and rename (or link) for each,
 * a few at a time so the file system can commit their fsyncs together, then one fsync per directory.
 */
export async function writeFilesAtomic(
  files: readonly { path: string; content: string | Uint8Array }[],
  options: { createOnly?: boolean } = {},
): Promise<void> {
  const writeOne = async ({ path, content }: { path: string; content: string | Uint8Array }) => {
    const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
    const handle = await open(tmp, 'wx', 0o644);
    try {
      await handle.writeFile(content);
      await handle.sync();
    } catch (e) {
      await handle.close();
      await rm(tmp, { force: true });
      throw e;
    }
    await handle.close();
    try {
      if (options.createOnly) await link(tmp, path);
      else await rename(tmp, path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new FileExistsError(path);
      throw e;
    } finally {
      await rm(tmp, { force: true });
    }
  };
  let next = 0;
  const worker = async () => {
    while (next < files.length) await writeOne(files[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(16, files.length) }, worker));
  for (const dir of new Set(files.map((f) => dirname(f.path)))) fsyncDirectory(dir);
}

function fsyncDirectory(dir: string): void {
  try {
    const dirFd = openSync(dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  } catch {
    // some file systems refuse fsync on a directory; the rename itself is still atomic
  }
}
