import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { DocumentAccess } from '../../import/documents.js';
import { RepoPathChecker } from '../../repo/repo-paths.js';

/**
 * The repository an imported file's document paths are relative to: CO keeps its index in
 * `tasks/index.json` and names documents from the repository root, so a file inside a `tasks/`
 * folder is read from that folder's parent; any other file from its own folder.
 */
export function sourceRootOf(absolute: string): string {
  const dir = dirname(absolute);
  return basename(dir) === 'tasks' ? dirname(dir) : dir;
}

/** Reads documents in both repositories; a path that is missing, a directory or leads outside through a symlink is not there. */
export function fileDocuments(sourceRoot: string, targetRoot: string): DocumentAccess {
  const reader = (root: string) => {
    const paths = new RepoPathChecker(root);
    return (path: string) => {
      const at = paths.check(path);
      if (!at.exists || at.escapes || at.isDirectory) return undefined;
      return readFileSync(at.absolute, 'utf8');
    };
  };
  return { source: reader(sourceRoot), target: reader(targetRoot) };
}
