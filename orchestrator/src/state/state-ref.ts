import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OperationError } from '../errors.js';
import type { Config } from '../repo/config.js';
import { jitteredBackoff, sleep } from '../git/backoff.js';
import { readBlob, readBlobs } from '../git/cat-file.js';
import { git, gitAsync } from '../git/git.js';
import { resolveRev } from '../git/refs.js';
import { type CommitAs, commitTreeAs } from '../git/commit-tree.js';
import { parseRawDiff } from '../git/raw-diff.js';
import { listTree, type TreeEntry, treeWith } from '../git/tree-build.js';
import { STATE_FORMAT, STATE_MARKER, stateRefName } from './state-layout.js';

/** One file to write on the state ref (`content: null` removes it). */
export interface StateWrite {
  path: string;
  content: string | Buffer | null;
}

/** Decides the writes of one update from the state it is applied to; nothing to write: `[]` or undefined. */
export type StateCompute = (
  snapshot: StateSnapshot,
) => StateWrite[] | undefined | Promise<StateWrite[] | undefined>;

export interface StateUpdate {
  /** The state commit after the update (the unchanged tip when nothing was written). */
  commit: string | undefined;
  /** Whether a commit was made. */
  changed: boolean;
  /** Compare-and-swap attempts used. */
  attempts: number;
}

/** The state ref's content at one commit, read from git objects (no checkout). */
export class StateSnapshot {
  constructor(
    readonly root: string,
    readonly commit: string | undefined,
  ) {}

  read(path: string): Buffer | undefined {
    return this.commit ? readBlob(this.root, `${this.commit}:${path}`) : undefined;
  }

  readMany(paths: readonly string[]): Map<string, Buffer> {
    if (!this.commit) return new Map();
    const names = paths.map((p) => `${this.commit}:${p}`);
    const blobs = readBlobs(this.root, names);
    const out = new Map<string, Buffer>();
    paths.forEach((p, i) => {
      const blob = blobs.get(names[i]);
      if (blob) out.set(p, blob);
    });
    return out;
  }

  /** A JSON file's value; a file that does not parse is an error naming the ref and path. */
  readJson<T>(path: string): T | undefined {
    const bytes = this.read(path);
    if (!bytes) return undefined;
    try {
      return JSON.parse(bytes.toString('utf8')) as T;
    } catch (e) {
      throw new OperationError(
        `the state ref's ${path} (commit ${this.commit!.slice(0, 12)}) is not JSON: ${(e as Error).message}`,
      );
    }
  }

  /** The entries of a directory (not recursive), by name; empty when it does not exist. */
  list(dir: string): Map<string, { mode: string; type: string; id: string }> {
    const tree = this.treeOf(dir);
    return tree ? listTree(this.root, tree) : new Map();
  }

  /** The tree id of a directory (the root when `dir` is empty), or undefined. */
  treeOf(dir = ''): string | undefined {
    if (!this.commit) return undefined;
    const r = git(this.root, ['rev-parse', '--verify', '--quiet', `${this.commit}:${dir}`], {
      allowFail: true,
    });
    const id = r.stdout.trim();
    return r.status === 0 && id ? id : undefined;
  }
}

export interface StateRefOptions {
  root: string;
  /** Full ref name, e.g. `refs/heads/cxo/state`. */
  ref: string;
  /** The remote the state is shared through; undefined keeps it in this clone. */
  remote?: string;
  /**
   * Compare-and-swap attempts before an update gives up (default 40: with the backoff capped at
   * 1 s, about half a minute of losing to other writers; five watchers' claims, lease renewals and
   * evidence, with a person's sign-offs, made 12 attempts too few).
   */
  attempts?: number;
}

/**
 * The state ref: a branch only the orchestrator writes, holding statuses, claims and run evidence
 * (state-layout.ts), so none of it lands on the branch people work on.
 *
 * Every update is a compare-and-swap: the change is computed from the current tip, committed on top
 * of it, and lands only if the tip did not move meanwhile; otherwise it is computed again from the
 * new tip, after a jittered backoff. When the state is shared, the swap is a push with a lease on
 * the remote's tip just fetched, so writers in any number of clones serialise on the remote and
 * none overwrites another (a claim made this way holds across machines). The local ref follows
 * the remote and is only ever moved to commits the remote has.
 */
export class StateRef {
  readonly root: string;
  readonly ref: string;
  readonly remote: string | undefined;
  private readonly attempts: number;

  constructor(options: StateRefOptions) {
    this.root = options.root;
    this.ref = options.ref;
    this.remote = options.remote;
    this.attempts = Math.max(1, options.attempts ?? 40);
  }

  /** The state ref of a repository as its config says; shared when the configured remote exists. */
  static open(root: string, config: Config): StateRef {
    const { remote, share_state } = config.gitops;
    const shared = share_state && hasRemote(root, remote);
    return new StateRef({ root, ref: stateRefName(config), remote: shared ? remote : undefined });
  }

  get shared(): boolean {
    return this.remote !== undefined;
  }

  /** Where the remote's tip is kept after a fetch: `refs/remotes/<remote>/<branch>`. */
  get trackingRef(): string | undefined {
    return this.remote ? `refs/remotes/${this.remote}/${this.ref.replace(/^refs\/heads\//, '')}` : undefined;
  }

  localTip(): string | undefined {
    return resolveRev(this.root, `${this.ref}^{commit}`);
  }

  /**
   * The state as this clone last saw it (no network): the local ref, or the remote's tip as last
   * fetched (a `git fetch` or `git pull` by a person) when that is ahead of it.
   */
  snapshot(): StateSnapshot {
    const local = this.localTip();
    const fetched = this.trackingRef ? resolveRev(this.root, `${this.trackingRef}^{commit}`) : undefined;
    const ahead = fetched && fetched !== local && (!local || isAncestor(this.root, local, fetched));
    return new StateSnapshot(this.root, ahead ? fetched : local);
  }

  /** The state as the remote has it now (fetched; the local ref fast-forwarded); local when not shared. */
  async refresh(): Promise<StateSnapshot> {
    if (!this.remote) return this.snapshot();
    const remoteTip = await this.fetch();
    const local = this.localTip();
    if (remoteTip && (!local || isAncestor(this.root, local, remoteTip))) this.fastForward(remoteTip);
    return this.snapshot();
  }

  /** Applies `compute`'s writes to the state by compare-and-swap (see the class comment). */
  async update(message: string, compute: StateCompute, as: CommitAs = {}): Promise<StateUpdate> {
    let lastError = '';
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      if (attempt > 1) await sleep(jitteredBackoff(attempt - 1, 20, 1000));
      const remoteTip = this.remote ? await this.fetch() : undefined;
      const local = this.localTip();
      const base = this.remote ? this.baseOn(remoteTip, local) : local;
      const writes = (await compute(new StateSnapshot(this.root, base))) ?? [];
      const commit = writes.length > 0 ? this.commitWrites(base, writes, message, as) : base;
      if (commit === base) {
        if (base && base !== local) this.fastForward(base);
        return { commit: base, changed: false, attempts: attempt };
      }
      if (this.remote) {
        const pushed = await this.push(commit!, remoteTip);
        if (pushed === 'rejected') {
          lastError = `${this.remote} moved meanwhile`;
          continue;
        }
        this.fastForward(commit!);
        return { commit, changed: true, attempts: attempt };
      }
      const swapped = git(this.root, ['update-ref', '-m', 'cxo state', this.ref, commit!, local ?? ''], {
        allowFail: true,
      });
      if (swapped.status === 0) return { commit, changed: true, attempts: attempt };
      lastError = swapped.stderr.trim();
    }
    throw new OperationError(
      `cannot write the state (${message}): ${this.ref} kept moving (${this.attempts} attempts): ${lastError}`,
      'run again; if it keeps failing, check that nothing else rewrites the state ref',
    );
  }

  /**
   * What to build on when sharing: the remote's tip, unless this clone has state the remote has not
   * seen (written before the state was shared), which is first merged onto the remote's.
   */
  private baseOn(remoteTip: string | undefined, local: string | undefined): string | undefined {
    if (!remoteTip) return local;
    if (!local || local === remoteTip || isAncestor(this.root, local, remoteTip)) return remoteTip;
    if (isAncestor(this.root, remoteTip, local)) return local;
    return this.mergeLocal(remoteTip, local);
  }

  /** A merge commit of the remote's state with this clone's unshared files laid over it. */
  private mergeLocal(remoteTip: string, local: string): string {
    const mergeBase = git(this.root, ['merge-base', remoteTip, local], { allowFail: true }).stdout.trim();
    const changed = git(this.root, [
      'diff-tree',
      '-r',
      '-z',
      '--no-renames',
      '--no-commit-id',
      mergeBase || emptyTreeOf(this.root),
      local,
    ]).stdout;
    const changes = new Map<string, TreeEntry | null>();
    for (const r of parseRawDiff(changed))
      changes.set(r.path, r.status === 'D' ? null : { mode: r.mode, blob: r.id });
    const tree = treeWith(this.root, treeOfCommit(this.root, remoteTip), changes);
    return this.commitTree(tree, [remoteTip, local], 'merge the state this clone had before it was shared');
  }

  private commitWrites(
    base: string | undefined,
    writes: StateWrite[],
    message: string,
    as: CommitAs,
  ): string | undefined {
    const baseTree = base ? treeOfCommit(this.root, base) : null;
    const all = [...writes];
    if (!base || !readBlob(this.root, `${base}:${STATE_MARKER}`))
      all.push({ path: STATE_MARKER, content: `${JSON.stringify({ format: STATE_FORMAT })}\n` });
    const contents = all.filter((w) => w.content !== null).map((w) => w.content as string | Buffer);
    const ids = writeBlobs(this.root, contents);
    const changes = new Map<string, TreeEntry | null>();
    let next = 0;
    for (const w of all)
      changes.set(w.path, w.content === null ? null : { mode: '100644', blob: ids[next++] });
    const tree = treeWith(this.root, baseTree, changes);
    if (tree === baseTree) return base;
    return this.commitTree(tree, base ? [base] : [], message, as);
  }

  private commitTree(tree: string, parents: string[], message: string, as: CommitAs = {}): string {
    return commitTreeAs(this.root, tree, parents, `cxo-state: ${message}\n`, as);
  }

  /** Moves the local ref forward to `target`; leaves it when it moved elsewhere meanwhile. */
  private fastForward(target: string): void {
    for (let i = 0; i < 5; i++) {
      const current = this.localTip();
      if (current === target) return;
      if (current && !isAncestor(this.root, current, target)) return;
      const swapped = git(this.root, ['update-ref', '-m', 'cxo state', this.ref, target, current ?? ''], {
        allowFail: true,
      });
      if (swapped.status === 0) return;
    }
  }

  /** Fetches the remote's state tip into the tracking ref; undefined when the remote has none yet. */
  private async fetch(): Promise<string | undefined> {
    const tracking = this.trackingRef!;
    const args = [
      'fetch',
      '--quiet',
      '--no-tags',
      '--no-write-fetch-head',
      this.remote!,
      `+${this.ref}:${tracking}`,
    ];
    let fetched = await gitAsync(this.root, args);
    // another process of this clone updating the tracking ref at the same moment: fetch again
    for (let i = 1; i < 8 && fetched.status !== 0 && /cannot lock ref/i.test(fetched.stderr); i++) {
      await sleep(jitteredBackoff(i, 10, 200));
      fetched = await gitAsync(this.root, args);
    }
    if (fetched.status !== 0) {
      if (/couldn't find remote ref/i.test(fetched.stderr)) {
        git(this.root, ['update-ref', '-d', tracking], { allowFail: true });
        return undefined;
      }
      throw new OperationError(
        `cannot fetch the state ref ${this.ref} from ${this.remote}: ${fetched.stderr.trim()}`,
        'check the remote is reachable (or set gitops.share_state: false to keep the state in this clone)',
      );
    }
    return resolveRev(this.root, `${tracking}^{commit}`);
  }

  /** Pushes `commit` as the remote's state ref, leased on `expected` (absent: the ref must not exist). */
  private async push(commit: string, expected: string | undefined): Promise<'pushed' | 'rejected'> {
    const pushed = await gitAsync(this.root, [
      'push',
      '--quiet',
      '--porcelain',
      '--no-verify',
      `--force-with-lease=${this.ref}:${expected ?? ''}`,
      this.remote!,
      `${commit}:${this.ref}`,
    ]);
    if (pushed.status === 0) {
      git(this.root, ['update-ref', this.trackingRef!, commit], { allowFail: true });
      return 'pushed';
    }
    // a lost race (the lease or a fast-forward check); anything else is a real failure
    if (
      /\[rejected\]|stale info|fetch first|non-fast-forward|\[remote rejected\].*(cannot lock|failed to update)/i.test(
        `${pushed.stdout}\n${pushed.stderr}`,
      )
    )
      return 'rejected';
    throw new OperationError(
      `cannot push the state ref ${this.ref} to ${this.remote}: ${(pushed.stderr || pushed.stdout).trim()}`,
      'check that the remote accepts pushes to the state ref (protect the branches people work on, not it)',
    );
  }
}

function treeOfCommit(root: string, commit: string): string {
  return git(root, ['rev-parse', `${commit}^{tree}`]).stdout.trim();
}

function isAncestor(root: string, ancestor: string, of: string): boolean {
  return git(root, ['merge-base', '--is-ancestor', ancestor, of], { allowFail: true }).status === 0;
}

function hasRemote(root: string, remote: string): boolean {
  return git(root, ['remote', 'get-url', remote], { allowFail: true }).status === 0;
}

function emptyTreeOf(root: string): string {
  return git(root, ['hash-object', '-w', '-t', 'tree', '--stdin'], { input: '' }).stdout.trim();
}

/** Writes blobs with one git process (`--stdin-paths`), returning their ids in order. */
export function writeBlobs(root: string, contents: readonly (string | Buffer)[]): string[] {
  if (contents.length === 0) return [];
  const scratch = mkdtempSync(join(tmpdir(), 'cxo-state-'));
  try {
    const paths = contents.map((content, i) => {
      const path = join(scratch, String(i));
      writeFileSync(path, content);
      return path;
    });
    return git(root, ['hash-object', '-w', '--no-filters', '--stdin-paths'], {
      input: `${paths.join('\n')}\n`,
    })
      .stdout.trim()
      .split('\n');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
