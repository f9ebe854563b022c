import { existsSync, statSync } from 'node:fs';
import { ExitCode, UsageError } from '../../errors.js';
import { applyPattern } from '../../patterns/apply-pattern.js';
import type { CommandHandler } from '../command-table.js';
import { findPattern, openLibrary } from '../open-library.js';

const patternsApply: CommandHandler = async ({ args, cwd, options, out }) => {
  if (!existsSync(cwd) || !statSync(cwd).isDirectory()) throw new UsageError(`${cwd} is not a directory`);
  const library = openLibrary(options);
  const pattern = findPattern(library, args.id!);
  const dryRun = options['dry-run'] === true;
  const result = await applyPattern(library, pattern, cwd, {
    options: (options.option as string[] | undefined) ?? [],
    dryRun,
  });
  const applied = result.changed.length > 0;
  if (options.json) {
    out.json({ ...result, dir: cwd, dryRun, applied });
    return applied ? ExitCode.Ok : ExitCode.Failure;
  }
  if (result.diff) out.line(result.diff.replace(/\n$/, ''));
  for (const s of [
    ...result.skipped.map((s) => ({ ...s, what: 'skipped' })),
    ...result.unfixed.map((u) => ({ ...u, what: 'not fixed' })),
  ]) {
    const at = s.line !== undefined ? `${s.file}:${s.line}:${s.column ?? 1}` : s.file;
    out.error(`${at}: ${s.what}: ${s.message}`);
  }
  const checked = `${result.checked} file${result.checked === 1 ? '' : 's'} checked`;
  if (!applied) {
    out.error(`pattern ${pattern.id} made no changes in ${cwd} (${checked})`);
    return ExitCode.Failure;
  }
  out.error(
    `pattern ${pattern.id} ${dryRun ? 'would change' : 'changed'} ${result.changed.length} file${result.changed.length === 1 ? '' : 's'} in ${cwd} (${checked}${result.skipped.length ? `, ${result.skipped.length} skipped` : ''})${dryRun ? '; dry run: nothing written' : ''}`,
  );
  return ExitCode.Ok;
};
export default patternsApply;
