import { InvalidRepoError, NotFoundError, UsageError } from '../errors.js';
import { formatUtcDay, parseUtcDay, utcDayOf } from '../guard/utc-date.js';
import type { Config } from '../repo/config.js';
import { type Diagnostic, diagnostic, sortDiagnostics } from '../repo/diagnostics.js';
import { parseFrontMatter } from '../repo/front-matter.js';
import { parseSpec, type SpecDoc } from '../repo/markdown-docs.js';
import { listRepoFiles, readRepoText } from '../repo/repo-files.js';
import { RepoPathChecker, repoPathProblem } from '../repo/repo-paths.js';

/** Shared by the `cxo spec` commands: finding a spec by id or path, who is running, and dates. */

/** A spec file whose `id` is the one searched for, but which does not parse as a valid spec. */
interface BrokenCandidate {
  file: string;
  diagnostics: Diagnostic[];
}

/**
 * The spec files among `config.files.specs` whose front matter `id` is `id`, and the ones that
 * may have that id but do not parse. Only files whose text contains the id are parsed, so this
 * stays fast with thousands of specs.
 */
export function specsWithId(
  root: string,
  config: Config,
  id: string,
): { found: SpecDoc[]; broken: BrokenCandidate[] } {
  const found: SpecDoc[] = [];
  const broken: BrokenCandidate[] = [];
  const idLine = new RegExp(`^id:[ \\t]*(["']?)${escapeRe(id)}\\1[ \\t]*(#.*)?\\r?$`, 'm');
  for (const file of listRepoFiles(root, config.files.specs)) {
    const read = readRepoText(root, file, config.limits.max_file_bytes);
    if (!read.source?.text.includes(id)) continue;
    const parsed = parseSpec(read.source);
    if (parsed.spec) {
      if (parsed.spec.fields.id === id) found.push(parsed.spec);
      continue;
    }
    // invalid spec: it is a candidate when its front matter (or, if that is not YAML, its id line) names the id
    const front = parseFrontMatter(read.source);
    const named = front.doc ? front.doc.data.id === id : idLine.test(read.source.text);
    if (named) broken.push({ file, diagnostics: parsed.diagnostics });
  }
  return { found, broken };
}

/**
 * The spec named by `idOrPath`: a repository-relative path to a spec file, or the `id` of one of
 * the files matched by `config.files.specs`. A spec that does not parse is an InvalidRepoError
 * carrying its diagnostics (exit 2); an unknown one is a NotFoundError.
 */
export function findSpec(root: string, config: Config, idOrPath: string): SpecDoc {
  const path = idOrPath.replace(/^(\.\/)+/, '');
  const looksLikePath = path.includes('/') || path.endsWith('.md');
  if (looksLikePath) {
    const problem = repoPathProblem(path);
    if (problem) throw new UsageError(`${JSON.stringify(idOrPath)}: ${problem}`);
    const target = new RepoPathChecker(root).check(path);
    if (target.exists) {
      if (target.escapes) {
        throw new InvalidRepoError(`${path} points outside the repository`, [
          diagnostic('error', 'path-escape', 'file is a symlink that points outside the repository', {
            file: path,
          }),
        ]);
      }
      return parseSpecFile(root, config, path);
    }
  }
  const { found, broken } = specsWithId(root, config, path);
  if (found.length === 1) return found[0];
  if (found.length > 1) {
    throw new UsageError(
      `spec id "${path}" is used by ${found.length} files: ${found.map((s) => s.file).join(', ')}`,
      'give the path of the one you mean, and make the ids unique (`cxo validate` reports duplicates)',
    );
  }
  if (broken.length > 0) {
    throw new InvalidRepoError(
      `spec "${path}" (${broken.map((b) => b.file).join(', ')}) is not a valid mini-spec`,
      sortDiagnostics(broken.flatMap((b) => b.diagnostics)),
    );
  }
  const globs = config.files.specs.join(', ');
  throw new NotFoundError(
    looksLikePath
      ? `no spec file ${path}, and no spec with id "${path}" among ${globs}`
      : `no spec with id "${path}" among ${globs}`,
    `spec ids are the \`id:\` lines of their front matter (\`grep -H '^id:' ${config.files.specs.join(' ')}\`); or pass the spec's path`,
  );
}

function parseSpecFile(root: string, config: Config, file: string): SpecDoc {
  const read = readRepoText(root, file, config.limits.max_file_bytes);
  if (read.missing) throw new NotFoundError(`no spec file ${file}`);
  if (!read.source) throw new InvalidRepoError(`cannot read ${file}`, read.diagnostics);
  const parsed = parseSpec(read.source);
  if (!parsed.spec)
    throw new InvalidRepoError(`${file} is not a valid mini-spec`, sortDiagnostics(parsed.diagnostics));
  return parsed.spec;
}

/** Today's UTC date, or the `--now` option, which must be a real YYYY-MM-DD date (else exit 2). */
export function dateOption(value: string | boolean | string[] | undefined, flag = '--now'): string {
  if (value === undefined) return formatUtcDay(utcDayOf(new Date()));
  if (typeof value !== 'string' || parseUtcDay(value) === undefined) {
    throw new UsageError(
      `${flag} ${JSON.stringify(value)} is not a real date`,
      'write it as YYYY-MM-DD (UTC), e.g. 2026-11-21',
    );
  }
  return value;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
