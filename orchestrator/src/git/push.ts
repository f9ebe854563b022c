import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { OperationError } from '../errors.js';
import { writeFileAtomic } from '../repo/atomic-write.js';
import { mergeTaskIndexes } from '../repo/task-index-merge.js';
import { requireGitDir } from '../repo/git-dir.js';
import { jitteredBackoff, sleep } from './backoff.js';
import { git } from './git.js';

export interface PushOptions {
  root: string;
  /** Default `origin`. */
  remote?: string;
  /** The local branch; default the checked-out one. */
  branch?: string;
  /** The task index, merged semantically when a rebase meets the person's uncommitted edits of it. */
  indexFile?: string;
  /** Fetch-rebase-push attempts (default 8). */
  attempts?: number;
}

export interface PushResult {
  branch: string;
  /** The commit the remote branch now points at. */
  commit: string;
  attempts: number;
  /** How many times local commits were replayed onto commits someone else pushed. */
  rebases: number;
  /** Nothing to push: the remote had every local commit (the branch may have caught up with it). */
  upToDate: boolean;
}

/**
 * Shares a branch: fetch, rebase the local commits onto what others pushed, then push with a
 * lease on the fetched commit, so a push can never drop a commit that arrived meanwhile (it is
 * refused and the whole cycle runs again, after a jittered backoff).
 *
 * The rebase runs in a temporary worktree, with the task index merged by `cxo merge-driver`.
 * Moving the checked-out branch then carries the person's uncommitted work over like
 * `git checkout` does; their edits of the task index are merged at task granularity, and
 * anything else in the way stops the push before the branch moves.
 */
export async function pushWithLease(options: PushOptions): Promise<PushResult> {
  const { root } = options;
  const remote = options.remote ?? 'origin';
  const indexFile = options.indexFile ?? 'codex.tasks.json';
  const attempts = Math.max(1, options.attempts ?? 8);
  const checkedOut = git(root, ['symbolic-ref', '-q', '--short', 'HEAD'], { allowFail: true }).stdout.trim();
  const branch = options.branch ?? checkedOut;
  if (!branch) throw new OperationError('cannot push: HEAD is detached', 'check out a branch first');
  let rebases = 0;
  let lastError = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) await sleep(jitteredBackoff(attempt - 1, 50, 2000));
    const fetched = git(
      root,
      ['fetch', '--quiet', remote, `+refs/heads/${branch}:refs/remotes/${remote}/${branch}`],
      {
        allowFail: true,
      },
    );
    const missing = fetched.status !== 0 && /couldn't find remote ref/i.test(fetched.stderr);
    if (fetched.status !== 0 && !missing) {
      throw new OperationError(`cannot fetch ${branch} from ${remote}: ${fetched.stderr.trim()}`);
    }
    const remoteHead = missing ? '' : revParse(root, `refs/remotes/${remote}/${branch}`);
    let local = revParse(root, `refs/heads/${branch}`);
    if (remoteHead === local) return { branch, commit: local, attempts: attempt, rebases, upToDate: true };
    if (remoteHead && !isAncestor(root, remoteHead, local)) {
      // behind only: nothing of ours to push, catch up; else replay our commits on theirs
      const behind = isAncestor(root, local, remoteHead);
      const target = behind ? remoteHead : rebaseOnto(root, local, remoteHead, indexFile);
      const moved =
        branch === checkedOut
          ? moveCheckedOutBranch(root, branch, local, target, indexFile)
          : git(root, ['update-ref', `refs/heads/${branch}`, target, local], { allowFail: true }).status ===
            0;
      if (!moved) {
        lastError = `${branch} moved while it was brought up to date`;
        continue;
      }
      if (behind) return { branch, commit: target, attempts: attempt, rebases, upToDate: true };
      rebases++;
      local = target;
    }
    const pushed = git(
      root,
      [
        'push',
        '--quiet',
        '--porcelain',
        `--force-with-lease=refs/heads/${branch}:${remoteHead}`,
        remote,
        `${local}:refs/heads/${branch}`,
      ],
      { allowFail: true },
    );
    if (pushed.status === 0) return { branch, commit: local, attempts: attempt, rebases, upToDate: false };
    // --porcelain puts the per-ref verdict on stdout, git's summary on stderr
    lastError = `${pushed.stdout}\n${pushed.stderr}`.trim();
    if (
      !/stale info|rejected|fetch first|non-fast-forward|failed to update ref|cannot lock ref|remote rejected/i.test(
        lastError,
      )
    ) {
      throw new OperationError(`cannot push ${branch} to ${remote}: ${lastError}`);
    }
  }
  throw new OperationError(
    `cannot push ${branch} to ${remote}: others kept pushing (${attempts} attempts): ${lastError}`,
    'run `cxo push` again',
  );
}

/** The local commits `base..local` replayed onto `onto`, in a temporary worktree; the new head. */
function rebaseOnto(root: string, local: string, onto: string, indexFile: string): string {
  const scratch = join(requireGitDir(root), 'codex-orchestrator');
  mkdirSync(scratch, { recursive: true });
  const dir = mkdtempSync(join(scratch, 'rebase-'));
  const attributes = join(dir, '..', `${dir.split('/').pop()}.attributes`);
  writeFileSync(attributes, `${indexFile} merge=codex-tasks\n`);
  const worktree = join(dir, 'worktree');
  try {
    git(root, ['worktree', 'add', '--quiet', '--detach', worktree, local]);
    const rebased = git(
      worktree,
      ['-c', `core.attributesFile=${attributes}`, '-c', 'commit.gpgsign=false', 'rebase', '--quiet', onto],
      { allowFail: true },
    );
    if (rebased.status !== 0) {
      git(worktree, ['rebase', '--abort'], { allowFail: true });
      throw new OperationError(
        `cannot rebase the local commits onto ${onto.slice(0, 12)}: ${(rebased.stderr || rebased.stdout).trim()}`,
        'pull, resolve the conflict, and push yourself',
      );
    }
    return revParse(worktree, 'HEAD');
  } finally {
    git(root, ['worktree', 'remove', '--force', '--force', worktree], { allowFail: true });
    rmSync(dir, { recursive: true, force: true });
    rmSync(attributes, { force: true });
    git(root, ['worktree', 'prune'], { allowFail: true });
  }
}

/**
 * Moves the checked-out branch from `from` to `to` and brings the person's index and working
 * tree along (two-tree `read-tree -m -u`, which keeps their changes and refuses to overwrite
 * them). Their uncommitted edits of the task index are merged with the incoming version at task
 * granularity; a rescue copy is kept in .git until the merge is written. False when the branch
 * moved meanwhile (nothing changed then).
 */
function moveCheckedOutBranch(
  root: string,
  branch: string,
  from: string,
  to: string,
  indexFile: string,
): boolean {
  const indexPath = join(root, indexFile);
  const fromText = blobText(root, from, indexFile);
  const toText = blobText(root, to, indexFile);
  const working = existsSync(indexPath) ? readFileSync(indexPath, 'utf8') : undefined;
  let merged: string | undefined;
  let rescue: string | undefined;
  if (working !== undefined && fromText !== undefined && working !== fromText && fromText !== toText) {
    const staged = git(root, ['rev-parse', '--verify', '--quiet', `:${indexFile}`], {
      allowFail: true,
    }).stdout.trim();
    if (staged !== revParse(root, `${from}:${indexFile}`)) {
      throw new OperationError(
        `cannot bring in the pushed commits: you have staged changes to ${indexFile}`,
        'commit or unstage them, then `cxo push`',
      );
    }
    const result = mergeTaskIndexes(fromText, working, toText ?? fromText);
    if (result.conflicts.length > 0) {
      throw new OperationError(
        `cannot bring in the pushed commits: your uncommitted edits of ${indexFile} conflict with them (${result.conflicts[0].message})`,
        'commit your edits, then `cxo push` (the merge driver or you resolve it)',
      );
    }
    merged = result.text;
    // the person's bytes, safe in .git until the merged text replaces them
    rescue = join(
      requireGitDir(root),
      'codex-orchestrator',
      'rescue',
      `${Date.now()}-${indexFile.replace(/\//g, '_')}`,
    );
    mkdirSync(dirname(rescue), { recursive: true });
    writeFileAtomic(rescue, working);
    writeFileAtomic(indexPath, fromText);
  }
  // stat information the index has not caught up with (a file rewritten in place) is no change
  git(root, ['update-index', '-q', '--refresh'], { allowFail: true });
  const restore = () => {
    if (rescue && working !== undefined) writeFileAtomic(indexPath, working);
    if (rescue) rmSync(rescue, { force: true });
  };
  const check = git(root, ['read-tree', '-n', '-m', '-u', from, to], { allowFail: true });
  if (check.status !== 0) {
    restore();
    throw new OperationError(
      `cannot bring in the pushed commits: ${check.stderr.trim()}`,
      'commit or stash the files named, then `cxo push`',
    );
  }
  if (
    git(root, ['update-ref', '-m', 'cxo: rebase onto the remote', `refs/heads/${branch}`, to, from], {
      allowFail: true,
    }).status !== 0
  ) {
    restore();
    return false;
  }
  git(root, ['read-tree', '-m', '-u', from, to]);
  if (merged !== undefined) writeFileAtomic(indexPath, merged);
  if (rescue) rmSync(rescue, { force: true });
  return true;
}

function blobText(root: string, commit: string, file: string): string | undefined {
  const r = git(root, ['cat-file', 'blob', `${commit}:${file}`], { allowFail: true });
  return r.status === 0 ? r.stdout : undefined;
}

function revParse(cwd: string, rev: string): string {
  return git(cwd, ['rev-parse', '--verify', rev]).stdout.trim();
}

function isAncestor(root: string, ancestor: string, of: string): boolean {
  return git(root, ['merge-base', '--is-ancestor', ancestor, of], { allowFail: true }).status === 0;
}

/** Jittered backoff between attempts: 50 ms doubling, at most 2 s. */
