import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, InvalidRepoError, UsageError } from '../../errors.js';
import { diffTexts } from '../../git/git.js';
import { convertImport, IMPORT_FORMATS, type ImportFormat } from '../../import/index.js';
import { writeFileAtomic } from '../../repo/atomic-write.js';
import { type Diagnostic, hasErrors, sortDiagnostics } from '../../repo/diagnostics.js';
import { loadTaskIndex, readRepoText } from '../../repo/repo-files.js';
import { repoPathProblem } from '../../repo/repo-paths.js';
import { decodeSource } from '../../repo/source-text.js';
import { parseTaskIndex } from '../../repo/task-index.js';
import { appendTasks } from '../../repo/task-index-edit.js';
import { writeTaskIndex } from '../../repo/write-index.js';
import type { CommandHandler } from '../command-table.js';
import { openRepo } from '../open-repo.js';
import { summarize } from '../output.js';

const importCommand: CommandHandler = async ({ cwd, args, options, out }) => {
  const format = options.from as string | undefined;
  if (!format) throw new UsageError('--from is required', `formats: ${IMPORT_FORMATS.join(', ')}`);
  if (!IMPORT_FORMATS.includes(format as ImportFormat)) {
    throw new UsageError(`unknown --from "${format}"`, `formats: ${IMPORT_FORMATS.join(', ')}`);
  }
  const { root, config } = await openRepo(cwd);
  const file = args.file!;
  // the file to import may live anywhere; it is only read
  const read = readRepoText(cwd, file, config.limits.max_file_bytes);
  if (read.missing) throw new UsageError(`${file} does not exist`);
  if (!read.source) throw new InvalidRepoError(`cannot read ${file}`, read.diagnostics, ExitCode.Failure);

  const indexExists = existsSync(join(root, config.files.tasks));
  const index = indexExists
    ? loadTaskIndex(root, config, 'full').index
    : parseTaskIndex(decodeSource(config.files.tasks, Buffer.from(emptyIndex())).source!).index!;
  // a checklist item is referenced by its path inside this repository
  const refPath = repoPathProblem(file) ? file : file.replace(/^\.\//, '');
  const result = convertImport(format as ImportFormat, refPath, read.source.text, new Set(index.byId.keys()));
  const diagnostics = sortDiagnostics(result.diagnostics as Diagnostic[]);
  if (hasErrors(diagnostics))
    throw new InvalidRepoError(`cannot import ${file}`, diagnostics, ExitCode.Failure);

  const text = appendTasks(index, result.tasks);
  const before = indexExists ? index.doc.source.text : '';
  if (options.write) {
    if (indexExists) writeTaskIndex(root, index, text);
    else writeFileAtomic(join(root, config.files.tasks), text);
  }
  if (options.json) {
    out.json({ format, file, written: Boolean(options.write), tasks: result.tasks, diagnostics });
    return 0;
  }
  out.diagnostics(diagnostics);
  if (!options.write) out.line(diffTexts(config.files.tasks, before, text).trimEnd());
  out.line(
    `${options.write ? 'imported' : 'would import'} ${result.tasks.length} task(s) from ${file} into ${config.files.tasks} (${summarize(diagnostics)})`,
  );
  if (!options.write && result.tasks.length > 0)
    out.line('dry run: nothing was written; add --write to apply');
  return 0;
};
export default importCommand;

function emptyIndex(): string {
  return `${JSON.stringify({ $schema: './node_modules/codex-orchestrator/schemas/task-index.schema.json', version: 1, tasks: [] }, null, 2)}\n`;
}
