/**
 * A scenario's temporary repository: the source (a fixture copied, or a published package
 * unpacked), committed; then the injected bug, committed; then the setup commands, whose changes
 * to tracked files are committed too. Installed dependencies stay out of git (.git/info/exclude), so
 * the baseline commit holds exactly the code, and the pipeline's diff exactly its own changes.
 */
import { appendFileSync, cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { git as runGit } from '../git/git.js';
import { extractPackage, fetchPackage } from './fetch-package.js';
import type { EvalScenario, InjectEdit } from './scenario-types.js';

export class StageError extends Error {}

/** Files the harness never commits: dependencies and test caches. */
const EXCLUDED = ['node_modules/', '.nyc_output/', 'coverage/', '.npm/'];

/** The project's git runner, failing with the stage's error and git's own message. */
export function git(dir: string, ...args: string[]): string {
  const r = runGit(dir, args, { allowFail: true });
  if (r.status !== 0) throw new StageError(`git ${args.join(' ')}: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

export async function materializeSource(
  scenario: EvalScenario,
  evalDir: string,
  repo: string,
  signal: AbortSignal,
): Promise<string> {
  if (scenario.source.fixture !== undefined) {
    cpSync(resolve(evalDir, scenario.source.fixture), repo, {
      recursive: true,
      filter: (src) => !/(^|\/)(node_modules|\.git)$/.test(src),
    });
    return `fixture:${scenario.source.fixture}`;
  }
  const spec = scenario.source.npm!;
  const { tarball } = await fetchPackage(spec, { timeoutMs: 120_000, signal });
  await extractPackage(tarball, repo);
  return `npm:${spec}`;
}

export function initRepo(repo: string, message: string): string {
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'config', 'user.name', 'cxo-eval');
  git(repo, 'config', 'user.email', 'cxo-eval@codex-orchestrator.invalid');
  git(repo, 'config', 'commit.gpgsign', 'false');
  appendFileSync(join(repo, '.git/info/exclude'), `${EXCLUDED.join('\n')}\n`);
  return commitAll(repo, message, true);
}

/** Commits everything (not ignored); returns the new head. */
export function commitAll(repo: string, message: string, allowEmpty = false): string {
  git(repo, 'add', '-A');
  const dirty = git(repo, 'status', '--porcelain').trim() !== '';
  if (dirty || allowEmpty)
    git(repo, 'commit', '-q', '--no-verify', ...(allowEmpty ? ['--allow-empty'] : []), '-m', message);
  return git(repo, 'rev-parse', 'HEAD').trim();
}

/** Applies the scenario's edits; each `find` must occur exactly once. */
export function injectEdits(repo: string, edits: InjectEdit[]): void {
  edits.forEach((edit, i) => {
    const which = `inject[${i}]`;
    if (edit.patch !== undefined) {
      const patchFile = join(repo, '.git', `cxo-eval-inject-${i}.patch`);
      writeFileSync(patchFile, edit.patch.endsWith('\n') ? edit.patch : `${edit.patch}\n`);
      try {
        git(repo, 'apply', '--whitespace=nowarn', patchFile);
      } catch (e) {
        throw new StageError(`${which}: the patch does not apply: ${(e as Error).message}`);
      }
      return;
    }
    const file = resolve(repo, edit.file!);
    if (relative(repo, file).startsWith('..'))
      throw new StageError(`${which}: ${edit.file} is outside the repository`);
    if (!existsSync(file)) throw new StageError(`${which}: ${edit.file} does not exist in the source`);
    const text = readFileSync(file, 'utf8');
    const count = text.split(edit.find!).length - 1;
    if (count !== 1)
      throw new StageError(
        `${which}: "${edit.find}" occurs ${count} times in ${edit.file}; it must occur exactly once`,
      );
    writeFileSync(
      file,
      text.replace(edit.find!, () => edit.replace!),
    );
  });
}
