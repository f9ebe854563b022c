import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let found: string | null | undefined;

/**
 * The directory of this package (its package.json names codex-orchestrator), found from this
 * module upwards: the same from the sources, dist/, the CLI bundle and an installed package.
 * What ships beside the code (patterns/, schemas/, dist/bin/cxo.js) is found from there.
 */
export function packageRoot(): string | undefined {
  if (found !== undefined) return found ?? undefined;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && /"name":\s*"codex-orchestrator"/.test(readFileSync(manifest, 'utf8')))
      return (found = dir);
    const parent = dirname(dir);
    if (parent === dir) {
      found = null;
      return undefined;
    }
    dir = parent;
  }
}
