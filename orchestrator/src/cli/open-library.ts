import { resolve } from 'node:path';
import { NotFoundError } from '../errors.js';
import { installedLibraryDir } from '../patterns/library-dir.js';
import { loadPatternLibrary } from '../patterns/load-index.js';
import type { PatternEntry, PatternLibrary } from '../patterns/pattern-types.js';

/** The library `--library DIR` names (relative to where cxo was started), else the installed one. */
export function openLibrary(options: Record<string, unknown>): PatternLibrary {
  const dir = typeof options.library === 'string' ? resolve(options.library) : installedLibraryDir();
  return loadPatternLibrary(dir);
}

export function findPattern(library: PatternLibrary, id: string): PatternEntry {
  const pattern = library.byId.get(id);
  if (!pattern) {
    throw new NotFoundError(
      `no pattern "${id}" in the library`,
      `patterns: ${library.patterns.map((p) => p.id).join(', ')} (cxo patterns list)`,
    );
  }
  return pattern;
}
