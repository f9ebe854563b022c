import { slugOf } from '../../repo/slug.js';
import { mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { personName } from '../../git/person.js';
import picomatch from 'picomatch';
import { InvalidRepoError, UsageError } from '../../errors.js';
import { commitFiles } from '../../git/git.js';
import { formatUtcDay, utcDayOf } from '../../guard/utc-date.js';
import { FileExistsError, writeFileAtomic } from '../../repo/atomic-write.js';
import type { Config } from '../../repo/config.js';
import { sortDiagnostics } from '../../repo/diagnostics.js';
import { parseSpec } from '../../repo/markdown-docs.js';
import { repoPathProblem } from '../../repo/repo-paths.js';
import type { Risk } from '../../repo/spec-types.js';
import type { CommandHandler } from '../command-table.js';
import { specsWithId } from '../find-spec.js';
import { openRepo } from '../open-repo.js';
import { renderTemplate } from '../../patterns/render-template.js';

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/;
const RISKS: Risk[] = ['low', 'medium', 'high'];

const specNew: CommandHandler = async ({ cwd, options, out }) => {
  const title = (options.title as string | undefined)?.replace(/\s+/g, ' ').trim();
  if (!title) throw new UsageError('--title is required', 'cxo spec new --title "What the change is"');
  const risk = (options.risk as string | undefined) ?? 'medium';
  if (!RISKS.includes(risk as Risk)) throw new UsageError(`--risk must be one of ${RISKS.join(', ')}`);
  const slug = slugOf(title, { words: 5, chars: 60, fallback: 'spec' });
  const id = (options.id as string | undefined) ?? slug;
  if (!ID_PATTERN.test(id)) {
    throw new UsageError(
      `--id ${JSON.stringify(id)} is not a valid spec id`,
      'use letters, digits, ".", "_" and "-", starting with a letter or digit (max 80)',
    );
  }
  const covers = (options.covers as string[] | undefined) ?? [];
  for (const glob of covers) {
    const problem = repoPathProblem(glob);
    if (problem) throw new UsageError(`--covers ${JSON.stringify(glob)}: ${problem}`);
  }
  const { root, config } = await openRepo(cwd);
  const owners = ((options.owner as string[] | undefined) ?? []).map((o) => o.trim());
  if (owners.some((o) => o === '')) throw new UsageError('--owner must not be empty');
  if (owners.length === 0) {
    const me = personName(root);
    if (!me)
      throw new UsageError(
        'cannot tell who owns the spec',
        'pass --owner NAME, or set `git config user.name`',
      );
    owners.push(me);
  }

  const taken = specsWithId(root, config, id);
  const users = [...taken.found.map((s) => s.file), ...taken.broken.map((b) => b.file)];
  if (users.length > 0) {
    throw new UsageError(
      `a spec with id "${id}" already exists: ${users.join(', ')}`,
      options.id === undefined ? 'choose another id with --id' : 'choose another --id',
    );
  }

  const dir = specsDir(config);
  const number = nextNumber(join(root, dir));
  const file = `${dir}/${String(number).padStart(4, '0')}-${slug}.md`;
  const fields = {
    id,
    title,
    status: 'draft',
    owners,
    risk,
    last_review: formatUtcDay(utcDayOf(new Date())),
    ...(covers.length > 0 ? { covers } : {}),
  };
  const text = renderSpec(fields, title);
  // refuse before writing anything if the result would not load
  const check = parseSpec({ file, text, bom: false, eol: '\n' });
  if (!check.spec)
    throw new InvalidRepoError('the new spec would not be valid', sortDiagnostics(check.diagnostics));

  mkdirSync(join(root, dir), { recursive: true });
  try {
    writeFileAtomic(join(root, file), text, { createOnly: true });
  } catch (e) {
    if (e instanceof FileExistsError) throw new UsageError(`${file} already exists; nothing was written`);
    throw e;
  }
  let commit: string | undefined;
  if (options.commit) commit = commitFiles(root, [file], `cxo(spec ${id}): new\n\nSpec-Id: ${id}`);
  const loaded = config.files.specs.some((glob) => picomatch(glob)(file));
  if (options.json) {
    out.json({ file, id, fields, commit: commit ?? null });
    return 0;
  }
  out.line(
    `created ${out.bold(file)} (id ${id}, risk ${risk})${commit ? ` (commit ${commit.slice(0, 12)})` : ''}`,
  );
  if (!loaded)
    out.error(
      `warning: ${file} is not matched by files.specs (${config.files.specs.join(', ')}); validate will not load it`,
    );
  out.line(`next: fill in the sections, then \`cxo spec approve ${id}\``);
  return 0;
};
export default specNew;

/** The folder new specs go in: the fixed part of the first `files.specs` glob (`specs` by default). */
function specsDir(config: Config): string {
  for (const glob of config.files.specs) {
    const scan = picomatch.scan(glob);
    const base = scan.isGlob ? scan.base : dirname(glob);
    if (base && base !== '.' && !repoPathProblem(base)) return base.replace(/\/+$/, '');
  }
  return 'specs';
}

/** One more than the highest leading 4-digit number of the entries in `dir`; 1 when there is none. */
function nextNumber(dir: string): number {
  let highest = 0;
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    // no folder yet: the first spec
  }
  for (const name of names) {
    const m = /^(\d{4})(?!\d)/.exec(name);
    if (m) highest = Math.max(highest, Number(m[1]));
  }
  return highest + 1;
}

const RESERVED = /^(null|true|false|yes|no|on|off|y|n)$/i;

/** A YAML scalar: plain when that is unambiguous (also inside a flow sequence), else double-quoted. */
function scalar(value: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value; // a date, as every spec writes last_review
  return /^[A-Za-z][A-Za-z0-9 ._/-]*$/.test(value) && !value.endsWith(' ') && !RESERVED.test(value)
    ? value
    : JSON.stringify(value);
}

function renderSpec(fields: Record<string, string | string[]>, title: string): string {
  const lines = Object.entries(fields).map(([key, value]) =>
    Array.isArray(value) ? `${key}: [${value.map(scalar).join(', ')}]` : `${key}: ${scalar(value)}`,
  );
  return `---\n${lines.join('\n')}\n---\n\n${renderTemplate('mini-spec.md', { title })}`;
}
