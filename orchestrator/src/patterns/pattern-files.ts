import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { git } from '../git/git.js';

/** Never rewritten: dependencies, git's and the orchestrator's own state, build output. */
const SKIPPED_DIRS = new Set(['node_modules', '.git', '.runs', 'dist']);

const EXTENSIONS: Record<string, string[]> = {
  javascript: ['.js', '.mjs', '.cjs', '.jsx'],
  typescript: ['.ts', '.mts', '.cts', '.tsx'],
};

/** The parser a file needs: ast-grep's language, and the ESLint parser by file name. */
export function languageOf(file: string): 'javascript' | 'typescript' | 'tsx' {
  if (file.endsWith('.tsx')) return 'tsx';
  return /\.[cm]?ts$/.test(file) ? 'typescript' : 'javascript';
}

/**
 * The files under `dir` in the pattern's languages, relative to `dir` with forward slashes,
 * sorted. In a git work tree: tracked and untracked files that .gitignore does not exclude.
 */
export function patternFiles(dir: string, languages: readonly string[]): string[] {
  const extensions = languages.flatMap((l) => EXTENSIONS[l] ?? []);
  if (extensions.length === 0) return [];
  const listed = gitFiles(dir) ?? walk(dir);
  return listed
    .filter((f) => extensions.some((e) => f.endsWith(e)) && !f.endsWith('.d.ts'))
    .filter((f) => !f.split('/').some((part) => SKIPPED_DIRS.has(part)))
    .sort();
}

function gitFiles(dir: string): string[] | undefined {
  const inside = git(dir, ['rev-parse', '--is-inside-work-tree'], { allowFail: true });
  if (inside.status !== 0 || inside.stdout.trim() !== 'true') return undefined;
  const listed = git(dir, ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--full-name'], {
    allowFail: true,
  });
  if (listed.status !== 0) return undefined;
  const prefix = git(dir, ['rev-parse', '--show-prefix']).stdout.trim();
  return [
    ...new Set(
      listed.stdout
        .split('\0')
        .filter((f) => f && f.startsWith(prefix))
        .map((f) => f.slice(prefix.length)),
    ),
  ].filter((f) => existsSync(join(dir, f)) && statSync(join(dir, f)).isFile()); // tracked but deleted
}

function walk(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory() && !SKIPPED_DIRS.has(entry.name)) out.push(...walk(dir, rel));
    else if (entry.isFile()) out.push(rel);
  }
  return out;
}
