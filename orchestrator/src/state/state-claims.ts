/**
 * The dispatch ledger in ref mode: claims on the state ref (`claims/<shard>/<task>.json`). A claim
 * of (task, request, attempt) is one compare-and-swap update whose compute refuses when the state
 * it is applied to has that claim already; when the state is shared, the swap is a push with a
 * lease on the remote, so among any number of watchers in any number of clones exactly one wins
 * and the others see its claim. Same questions as the local ledger (reconcile/dedupe.ts).
 *
 * Leases: a claim holds until `leaseUntil`, which the run's heartbeat moves on (renew, by the process
 * doing the work, so a watcher killed with its runs lets the lease run out). A claim whose lease
 * has passed while its run did not finish may be taken over (takeOver): one more compare-and-swap,
 * which only the first of the watchers that saw it expire wins.
 *
 * Budget: given one, a claim (or takeover) also checks the spend caps against the cost ledger of
 * the state it is applied to and adds its run's reservation there (cost-ledger.ts), all in the
 * same swap; a claim over a cap writes nothing and answers with the refusal.
 */
import { hostname } from 'node:os';
import { validateStateClaims } from '../generated/validators.js';
import { readBlobs } from '../git/cat-file.js';
import { git } from '../git/git.js';
import type { LedgerEntry } from '../reconcile/dedupe.js';
import type { Budget } from '../repo/config.js';
import { type BudgetRefusal, budgetRefusal, reservationOf } from './budget-check.js';
import { leaseExpired } from './claim-lease.js';
import { reservationWrite, spendOf, utcDayText } from './cost-ledger.js';
import { claimPathOf, statusPathOf } from './state-layout.js';
import type { StateRef, StateSnapshot } from './state-ref.js';

export interface StateClaim extends LedgerEntry {
  attempt: number;
  /** The watcher that claimed it (host and process id). */
  holder?: string;
  /** Until when it holds (ISO); none in claims of the local ledger, which hold for good. */
  leaseUntil?: string;
  /** The run whose expired claim this one took over. */
  takes?: string;
}

export interface ClaimsFile {
  claims: StateClaim[];
}

export class StateClaims {
  private readonly byKey = new Map<string, StateClaim>();
  private readonly latestOf = new Map<string, StateClaim>();
  /** Claim files that were not valid (`<ref>:<path>: <why>`), ignored. */
  readonly problems: string[] = [];

  constructor(
    private readonly state: StateRef,
    snapshot: StateSnapshot,
    /** How long a claim holds without a renewal (`gitops.claim_lease_seconds`). */
    private readonly leaseMs: number,
  ) {
    for (const [path, bytes] of readClaimFiles(snapshot)) {
      const file = parseClaims(bytes);
      if (!file) this.problems.push(`${state.ref}:${path}: not a claims file`);
      // a task's file speaks for that task only
      else file.claims.filter((c) => claimPathOf(c.task) === path).forEach((c) => this.remember(c));
    }
  }

  find(task: string, request: string, attempt = 1): StateClaim | undefined {
    return this.byKey.get(key(task, request, attempt));
  }

  latest(task: string, request: string): StateClaim | undefined {
    return this.latestOf.get(key(task, request, 0));
  }

  /** Every valid claim of the snapshot. */
  all(): StateClaim[] {
    return [...this.byKey.values()];
  }

  /**
   * Claims attempt `attempt` of (task, request) for `runId`; false when someone (anywhere) had.
   * With a budget, the claim also enters the run in the cost ledger with its reservation, or is
   * refused (nothing written) when that would pass a cap: checked against the state the swap
   * applies to, so of two clones racing for the last dollar the loser's retry sees the winner's.
   */
  async claim(
    task: string,
    request: string,
    runId: string,
    now = new Date(),
    attempt = 1,
    budget?: Budget,
  ): Promise<boolean | BudgetRefusal> {
    if (this.byKey.has(key(task, request, attempt))) return false;
    return this.swap(
      task,
      request,
      attempt,
      this.fresh(task, request, attempt, runId, now),
      () => false,
      budget,
    );
  }

  /**
   * Takes over attempt `attempt` of (task, request) from run `from`, whose lease has run out, for
   * `runId`; false when that claim is no longer `from`'s or its lease was renewed meanwhile.
   */
  async takeOver(
    task: string,
    request: string,
    attempt: number,
    from: string,
    runId: string,
    now = new Date(),
    budget?: Budget,
  ): Promise<boolean | BudgetRefusal> {
    const mine = { ...this.fresh(task, request, attempt, runId, now), takes: from };
    // the pass decided from an older snapshot: the run may have ended since (its last status
    // written just before its lease ran out), and an ended run is never taken over
    return this.swap(
      task,
      request,
      attempt,
      mine,
      (prior, snapshot) =>
        prior.runId === from && leaseExpired(prior, now.getTime()) && !runEnded(snapshot, task, from),
      budget,
    );
  }

  private fresh(task: string, request: string, attempt: number, runId: string, now: Date): StateClaim {
    return {
      task,
      request,
      attempt,
      runId,
      at: now.toISOString(),
      holder: `${hostname()}:${process.pid}`,
      leaseUntil: new Date(now.getTime() + this.leaseMs).toISOString(),
    };
  }

  /**
   * One compare-and-swap of the claim of (task, request, attempt): `mine` goes in when there is no
   * claim yet, or in place of the one there when `replaces` says so; true when it went in.
   */
  private async swap(
    task: string,
    request: string,
    attempt: number,
    mine: StateClaim,
    replaces: (prior: StateClaim, snapshot: StateSnapshot) => boolean,
    budget: Budget | undefined,
  ): Promise<boolean | BudgetRefusal> {
    let won = false;
    let refused: string | undefined;
    let seen: StateClaim | undefined;
    const path = claimPathOf(task);
    const what = mine.takes ? `take over ${mine.takes}` : 'claim';
    await this.state.update(
      `${what}: ${task} request ${request} attempt ${attempt} [${mine.runId}]`,
      (snapshot) => {
        const bytes = snapshot.read(path);
        // a file that is not valid is replaced: its claims could not be honoured anyway
        const file = (bytes && parseClaims(bytes)) || { claims: [] };
        seen = file.claims.find((c) => c.request === request && c.attempt === attempt);
        won = !seen || replaces(seen, snapshot);
        refused = undefined;
        if (!won) return [];
        const writes = [{ path, content: serializeClaims([...file.claims.filter((c) => c !== seen), mine]) }];
        if (!budget) return writes;
        const now = new Date(mine.at);
        const day = utcDayText(now);
        refused = budgetRefusal(budget, spendOf(snapshot, task, day), task, day);
        if (refused) return [];
        return [...writes, reservationWrite(snapshot, day, task, mine.runId, reservationOf(budget), now)];
      },
    );
    if (refused) return { refused };
    this.remember(won ? mine : seen!);
    return won;
  }

  private remember(claim: StateClaim): void {
    const last = this.latestOf.get(key(claim.task, claim.request, 0));
    this.byKey.set(key(claim.task, claim.request, claim.attempt), claim);
    if (!last || last.attempt <= claim.attempt) this.latestOf.set(key(claim.task, claim.request, 0), claim);
  }
}

/**
 * Moves the lease of run `runId`'s claims on to `now` + the lease: `held` when it did, `lost` when
 * another run took its claim over, `none` when the run claimed nothing (a run started by hand).
 */
export async function renewLease(
  state: StateRef,
  leaseMs: number,
  task: string,
  runId: string,
  now = new Date(),
): Promise<'held' | 'lost' | 'none'> {
  const path = claimPathOf(task);
  let answer: 'held' | 'lost' | 'none' = 'none';
  await state.update(`lease ${task} [${runId}]`, (snapshot) => {
    const bytes = snapshot.read(path);
    const file = bytes && parseClaims(bytes);
    const mine = file ? file.claims.filter((c) => c.runId === runId) : [];
    if (!file || mine.length === 0) {
      answer = file && file.claims.some((c) => c.takes === runId) ? 'lost' : 'none';
      return [];
    }
    answer = 'held';
    const until = new Date(now.getTime() + leaseMs).toISOString();
    const claims = file.claims.map((c) => (c.runId === runId ? { ...c, leaseUntil: until } : c));
    return [{ path, content: serializeClaims(claims) }];
  });
  return answer;
}

/** Every claims file of the snapshot, by path, read by one `git cat-file --batch`. */
function readClaimFiles(snapshot: StateSnapshot): Map<string, Buffer> {
  const tree = snapshot.treeOf('claims');
  const files = new Map<string, Buffer>();
  if (!tree) return files;
  const entries = git(snapshot.root, ['ls-tree', '-r', '-z', tree])
    .stdout.split('\0')
    .map((record) => /^\d+ blob ([0-9a-f]+)\t(.+)$/.exec(record))
    .filter((m): m is RegExpExecArray => m !== null);
  const blobs = readBlobs(
    snapshot.root,
    entries.map((m) => m[1]),
  );
  for (const [, id, path] of entries) {
    const bytes = blobs.get(id);
    if (bytes) files.set(`claims/${path}`, bytes);
  }
  return files;
}

/** Whether the task's status on the snapshot says run `runId` ended (its last status written). */
function runEnded(snapshot: StateSnapshot, task: string, runId: string): boolean {
  const bytes = snapshot.read(statusPathOf(task));
  if (!bytes) return false;
  try {
    const status = JSON.parse(bytes.toString('utf8')) as { phase?: unknown; lastRun?: { id?: unknown } };
    return status.lastRun?.id === runId && status.phase !== 'running';
  } catch {
    return false;
  }
}

/** A claims file's content. */
export function serializeClaims(claims: StateClaim[]): string {
  return `${JSON.stringify({ claims }, null, 2)}\n`;
}

/** A claims file's value; undefined when it is not valid. */
export function parseClaims(bytes: Buffer): ClaimsFile | undefined {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return validateStateClaims(value) ? (value as ClaimsFile) : undefined;
  } catch {
    return undefined;
  }
}

/** Attempt 0 keys the (task, request) itself. */
function key(task: string, request: string, attempt: number): string {
  return JSON.stringify([task, request, attempt]);
}
