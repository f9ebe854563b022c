import { CxoError, ExitCode } from '../errors.js';
import type { ChangedFile } from '../guard/rules/diff-coverage.js';
import { git } from './git.js';

export interface ChangedRange {
  base: string;
  head: string;
  mergeBase: string;
  changes: ChangedFile[];
}

/**
 * The files changed on `head` since it left `base` (git's three-dot range), with renames found.
 * A ref or merge base missing from the clone is a configuration error that says what to fetch.
 */
export function changedFiles(root: string, baseRef: string, headRef = 'HEAD'): ChangedRange {
  if (git(root, ['rev-parse', '--is-inside-work-tree'], { allowFail: true }).status !== 0) {
    throw new CxoError('--base needs a git repository', ExitCode.Usage);
  }
  const shallow =
    git(root, ['rev-parse', '--is-shallow-repository'], { allowFail: true }).stdout.trim() === 'true';
  const fetchHint = (ref: string) =>
    shallow
      ? `this clone is shallow: run \`git fetch --unshallow\` (or \`git fetch --deepen=200 origin ${ref}\`); in GitHub Actions use actions/checkout with fetch-depth: 0`
      : `fetch it first, e.g. \`git fetch origin ${ref}\``;
  const resolve = (ref: string) => {
    const r = git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { allowFail: true });
    if (r.status !== 0)
      throw new CxoError(`git ref "${ref}" is not in this clone`, ExitCode.Usage, { hint: fetchHint(ref) });
    return r.stdout.trim();
  };
  const base = resolve(baseRef);
  const head = resolve(headRef);
  const mb = git(root, ['merge-base', base, head], { allowFail: true });
  if (mb.status !== 0) {
    throw new CxoError(`no common ancestor of ${baseRef} and ${headRef} in this clone`, ExitCode.Usage, {
      hint: shallow
        ? fetchHint(baseRef)
        : `${baseRef} and ${headRef} share no history; pass the branch this change is based on`,
    });
  }
  const mergeBase = mb.stdout.trim();
  const out = git(root, [
    'diff',
    '--name-status',
    '-z',
    '-M',
    '--no-color',
    '--no-ext-diff',
    mergeBase,
    head,
  ]).stdout;
  return { base, head, mergeBase, changes: parseNameStatus(out) };
}

/** Parses `git diff --name-status -z` output. */
export function parseNameStatus(out: string): ChangedFile[] {
  const fields = out.split('\0');
  const changes: ChangedFile[] = [];
  for (let i = 0; i < fields.length - 1;) {
    const code = fields[i++];
    const status = code[0] as ChangedFile['status'];
    if (status === 'R' || status === 'C') {
      const oldPath = fields[i++];
      const path = fields[i++];
      changes.push(status === 'R' ? { status, path, oldPath } : { status, path });
    } else {
      changes.push({ status, path: fields[i++] });
    }
  }
  return changes;
}
