import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let installed: string | undefined;

/**
 * The `patterns/` directory shipped with this package, found from this module upwards, so it
 * works from the sources, from dist/, from the CLI bundle and from an installed package.
 */
export function installedLibraryDir(): string {
  if (installed) return installed;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'patterns');
    if (existsSync(join(candidate, 'index.json'))) return (installed = candidate);
    const parent = dirname(dir);
    if (parent === dir) throw new Error('patterns/index.json not found above the orchestrator module');
    dir = parent;
  }
}
