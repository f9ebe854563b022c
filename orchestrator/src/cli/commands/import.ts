import { existsSync, mkdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ExitCode, InvalidRepoError, UsageError } from '../../errors.js';
import { diffTexts } from '../../git/git.js';
import { IMPORT_FORMATS, type ImportFormat } from '../../import/index.js';
import { planImport } from '../../import/plan.js';
import { writeFileAtomic, writeFilesAtomic } from '../../repo/atomic-write.js';
import { hasErrors } from '../../repo/diagnostics.js';
import { loadTaskIndex, readRepoText } from '../../repo/repo-files.js';
import { repoPathProblem } from '../../repo/repo-paths.js';
import { decodeSource, encodeSource } from '../../repo/source-text.js';
import { parseTaskIndex } from '../../repo/task-index.js';
import type { CommandHandler } from '../command-table.js';
import { openRepo } from '../open-repo.js';
import { summarize } from '../output.js';
import { fileDocuments, sourceRootOf } from './import-documents.js';

const importCommand: CommandHandler = async ({ cwd, args, options, out }) => {
  const format = options.from as string | undefined;
  if (!format) throw new UsageError('--from is required', `formats: ${IMPORT_FORMATS.join(', ')}`);
  if (!IMPORT_FORMATS.includes(format as ImportFormat)) {
    throw new UsageError(`unknown --from "${format}"`, `formats: ${IMPORT_FORMATS.join(', ')}`);
  }
  const { root, config } = await openRepo(cwd);
  const file = args.file!;
  // the file to import may live anywhere, given relative or absolute; it is only read
  const absolute = resolve(cwd, file);
  const read = readRepoText(dirname(absolute), basename(absolute), config.limits.max_file_bytes);
  if (read.missing) throw new UsageError(`${file} does not exist`);
  if (!read.source) throw new InvalidRepoError(`cannot read ${file}`, read.diagnostics, ExitCode.Failure);

  const indexExists = existsSync(join(root, config.files.tasks));
  const index = indexExists
    ? loadTaskIndex(root, config, 'full').index
    : parseTaskIndex(decodeSource(config.files.tasks, Buffer.from(emptyIndex())).source!).index!;
  // a checklist item is referenced by its path inside this repository
  const refPath = repoPathProblem(file) ? file : file.replace(/^\.\//, '');
  // the dry run and --write share this plan and its checks; the write below is the only difference
  const plan = planImport({
    format: format as ImportFormat,
    file: refPath,
    text: read.source.text,
    index,
    documents: fileDocuments(sourceRootOf(absolute), root),
    targets: {
      specs: folderOf(config.files.specs[0], 'specs'),
      prds: folderOf(config.files.prds[0], 'tasks'),
      today: new Date().toISOString().slice(0, 10),
    },
  });
  const { diagnostics, indexText } = plan;
  if (hasErrors(diagnostics) || indexText === undefined)
    throw new InvalidRepoError(`cannot import ${file}`, diagnostics, ExitCode.Failure);

  if (options.write) {
    // documents first: an index is never written naming a document that is not there yet
    for (const dir of new Set(plan.documents.map((d) => dirname(join(root, d.path)))))
      mkdirSync(dir, { recursive: true });
    await writeFilesAtomic(
      plan.documents.map((d) => ({ path: join(root, d.path), content: d.text })),
      { createOnly: true },
    );
    writeFileAtomic(join(root, config.files.tasks), encodeSource(index.doc.source, indexText));
  }
  const documents = plan.documents.map((d) => ({ path: d.path, from: d.from }));
  if (options.json) {
    out.json({ format, file, written: Boolean(options.write), tasks: plan.tasks, documents, diagnostics });
    return 0;
  }
  out.diagnostics(diagnostics);
  if (!options.write) {
    out.line(diffTexts(config.files.tasks, indexExists ? index.doc.source.text : '', indexText).trimEnd());
    for (const d of documents) out.line(`new file ${d.path} (from ${d.from})`);
  }
  const docs = documents.length > 0 ? ` and ${documents.length} document(s)` : '';
  out.line(
    `${options.write ? 'imported' : 'would import'} ${plan.tasks.length} task(s)${docs} from ${file} into ${config.files.tasks} (${summarize(diagnostics)})`,
  );
  if (!options.write && plan.tasks.length > 0) out.line('dry run: nothing was written; add --write to apply');
  return 0;
};
export default importCommand;

function emptyIndex(): string {
  return `${JSON.stringify({ $schema: './node_modules/codex-orchestrator/schemas/task-index.schema.json', version: 1, tasks: [] }, null, 2)}\n`;
}

/** The folder part of a file glob such as `specs/[0-9]*-*.md`. */
function folderOf(glob: string | undefined, fallback: string): string {
  const parts = (glob ?? '').split('/').slice(0, -1);
  const wild = parts.findIndex((p) => /[*?[{]/.test(p));
  return (wild === -1 ? parts : parts.slice(0, wild)).join('/') || fallback;
}
