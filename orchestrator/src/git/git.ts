import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OperationError } from '../errors.js';

/** Runs git in `cwd` and returns stdout; a non-zero exit is an OperationError quoting git's message. */
export function git(
  cwd: string,
  args: string[],
  options: { input?: string | Uint8Array; env?: NodeJS.ProcessEnv; allowFail?: boolean } = {},
): {
  stdout: string;
  stderr: string;
  status: number;
} {
  const result = spawnSync('git', args, {
    cwd,
    input: options.input,
    env: options.env ?? process.env,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.error) {
    throw new OperationError(
      `cannot run git: ${result.error.message}`,
      'install git and make sure it is on PATH',
    );
  }
  const status = result.status ?? 1;
  if (status !== 0 && !options.allowFail) {
    throw new OperationError(`git ${args[0]} failed: ${result.stderr.trim() || result.stdout.trim()}`);
  }
  return { stdout: result.stdout, stderr: result.stderr, status };
}

/**
 * Commits only `files`, as they are in the working tree, leaving anything else the person has
 * staged untouched (git's `commit --only`).
 */
export function commitFiles(
  root: string,
  files: string[],
  message: string,
  /** `git -c` arguments that sign the commit (git/signing-identity.ts); unsigned without. */
  signWith?: string[],
): string {
  const inside = git(root, ['rev-parse', '--is-inside-work-tree'], { allowFail: true });
  if (inside.status !== 0)
    throw new OperationError('--commit needs a git repository', 'run `git init` first, or drop --commit');
  git(root, ['add', '--intent-to-add', '--', ...files]);
  const sign = signWith ? [...signWith, 'commit', '-S'] : ['commit'];
  git(root, [...sign, '--quiet', '--only', '-m', message, '--', ...files]);
  return git(root, ['rev-parse', 'HEAD']).stdout.trim();
}

/** A unified diff between two texts, computed by git (no repository needed). */
export function diffTexts(label: string, before: string, after: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'cxo-diff-'));
  try {
    writeFileSync(join(dir, 'a'), before);
    writeFileSync(join(dir, 'b'), after);
    const result = git(dir, ['diff', '--no-index', '--no-color', '--', 'a', 'b'], { allowFail: true });
    return result.stdout
      .replace(/^diff --git a\/a b\/b$/m, `diff --git a/${label} b/${label}`)
      .replace(/^--- a\/a$/m, before === '' ? '--- /dev/null' : `--- a/${label}`)
      .replace(/^\+\+\+ b\/b$/m, `+++ b/${label}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
