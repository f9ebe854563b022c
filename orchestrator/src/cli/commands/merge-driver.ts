import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ExitCode, UsageError } from '../../errors.js';
import { writeFileAtomic } from '../../repo/atomic-write.js';
import { mergeTaskIndexes } from '../../repo/task-index-merge.js';
import type { CommandHandler } from '../command-table.js';

/**
 * git's merge driver for the task index: `merge-driver %O %A %B`. Writes the merge into the
 * `ours` file (%A); exit 0 when clean, 1 when conflicts remain (git then reports a conflict).
 */
const mergeDriver: CommandHandler = async ({ cwd, args, out }) => {
  const [base, ours, theirs] = (['base', 'ours', 'theirs'] as const).map((name) => {
    const file = args[name];
    if (!file) throw new UsageError(`missing ${name} file`, 'git calls this as `cxo merge-driver %O %A %B`');
    const path = resolve(cwd, file);
    try {
      return { path, text: readFileSync(path, 'utf8') };
    } catch (e) {
      throw new UsageError(`cannot read ${name} file ${file}: ${(e as Error).message}`);
    }
  });
  const result = mergeTaskIndexes(base.text, ours.text, theirs.text);
  if (result.text !== ours.text) writeFileAtomic(ours.path, result.text);
  if (result.conflicts.length === 0) return ExitCode.Ok;
  for (const c of result.conflicts) out.error(`codex.tasks.json: conflict: ${c.message}`);
  return ExitCode.Failure;
};
export default mergeDriver;
