import { join } from 'node:path';
import { InvalidRepoError } from '../../errors.js';
import { commitFiles } from '../../git/git.js';
import { writeFileAtomic } from '../../repo/atomic-write.js';
import { sortDiagnostics } from '../../repo/diagnostics.js';
import { setFrontMatterFields } from '../../repo/front-matter.js';
import { parseSpec } from '../../repo/markdown-docs.js';
import { encodeSource } from '../../repo/source-text.js';
import type { CommandHandler } from '../command-table.js';
import { dateOption, findSpec } from '../find-spec.js';
import { openRepo } from '../open-repo.js';

/**
 * Sets `last_review` and nothing else: the line is spliced, so other fields, comments and the
 * body stay byte for byte. The approval digest excludes last_review, so approvals stay valid.
 */
const specReview: CommandHandler = async ({ cwd, args, options, out }) => {
  const date = dateOption(options.now);
  const { root, config } = await openRepo(cwd);
  const spec = findSpec(root, config, args.id!);
  const { id } = spec.fields;
  const previous = String(spec.fields.last_review);
  const changed = previous !== date;
  let commit: string | undefined;
  if (changed) {
    const text = setFrontMatterFields(spec.doc, { last_review: date });
    const check = parseSpec({ ...spec.doc.source, text });
    if (!check.spec)
      throw new InvalidRepoError(
        `the reviewed ${spec.file} would not be valid`,
        sortDiagnostics(check.diagnostics),
      );
    writeFileAtomic(join(root, spec.file), encodeSource(spec.doc.source, text));
    if (options.commit) commit = commitFiles(root, [spec.file], `cxo(spec ${id}): review\n\nSpec-Id: ${id}`);
  }
  if (options.json) {
    out.json({ id, file: spec.file, last_review: date, previous, changed, commit: commit ?? null });
  } else if (!changed) {
    out.line(`${id} was already reviewed on ${date}; nothing changed`);
  } else {
    out.line(
      `reviewed ${out.bold(id)} (${spec.file}): last_review ${previous} -> ${date}${commit ? ` (commit ${commit.slice(0, 12)})` : ''}`,
    );
  }
  return 0;
};
export default specReview;
