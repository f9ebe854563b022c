import { join } from 'node:path';
import { packageRoot } from '../util/package-root.js';

/** The merge driver `cxo init` registers for the task index (`.gitattributes`: `merge=codex-tasks`). */
export const TASK_INDEX_MERGE_DRIVER = 'codex-tasks';

/**
 * How git runs our merge driver on the orchestrator's own merges: this very orchestrator, by
 * absolute path. Never the value in the repository's config, nor `npx cxo`, which would run
 * whatever `cxo` the repository's node_modules holds.
 */
export function mergeDriverCommand(): string {
  const root = packageRoot();
  const cli = root ? join(root, 'dist', 'bin', 'cxo.js') : process.argv[1];
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return `${quote(process.execPath)} ${quote(cli)} merge-driver %O %A %B`;
}
