import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isTransient } from '../../src/reconcile/transient.js';
import { refNameProblem } from '../../src/repo/ref-name.js';
import { worktreeFailure } from '../../src/runs/worktree-failure.js';
import { seededRandom } from '../helpers/seeded-random.js';

const SEED = 20261202;
// characters the task id pattern allows, and the ones git treats specially
const ALPHABET = [
  'a',
  'b',
  '1',
  '.',
  '-',
  '_',
  '/',
  '@',
  '{',
  'l',
  'o',
  'c',
  'k',
  ' ',
  '~',
  '^',
  ':',
  '*',
  '?',
  '[',
  '\\',
];

function generatedNames(count: number): string[] {
  const random = seededRandom(SEED);
  const pick = () => ALPHABET[Math.floor(random() * ALPHABET.length)];
  const names = ['a..b', 'x.lock', 'trailing.', 'a@{b', '.hidden', 'a/.b', 'a//b', '-a', 'ok-1.2_3'];
  while (names.length < count) {
    let name = Array.from({ length: 1 + Math.floor(random() * 6) }, pick).join('');
    if (random() < 0.15) name += '.lock';
    names.push(name);
  }
  return names;
}

describe('refNameProblem follows git check-ref-format --branch', () => {
  it(`agrees with git on generated names (seed ${SEED})`, () => {
    const names = generatedNames(150);
    // one git process checks them all: `--stdin` is not available, so a shell loop prints each verdict
    const script =
      'while IFS= read -r n; do git check-ref-format --branch "$n" >/dev/null 2>&1 && echo 1 || echo 0; done';
    const r = spawnSync('sh', ['-c', script], { input: `${names.join('\n')}\n`, encoding: 'utf8' });
    const gitSays = r.stdout.trim().split('\n');
    const disagreements = names.filter((n, i) => (gitSays[i] === '1') !== (refNameProblem(n) === undefined));
    expect(disagreements, `seed ${SEED}`).toEqual([]);
  });
});

describe('a branch name git refuses fails the run permanently', () => {
  it('is InvalidBranchName, which is not transient; other worktree failures still are', () => {
    const refused = worktreeFailure(
      'codex/a..b/r1',
      new Error("fatal: 'codex/a..b/r1' is not a valid branch name"),
    );
    expect(refused.reason).toBe('InvalidBranchName');
    expect(isTransient(refused.reason)).toBe(false);
    const locked = worktreeFailure(
      'codex/a/r1',
      new Error('fatal: Unable to create index.lock: File exists'),
    );
    expect(locked.reason).toBe('WorktreeFailed');
    expect(isTransient(locked.reason)).toBe(true);
  });
});
