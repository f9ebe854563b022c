import type { Config } from '../repo/config.js';
import { renewLease } from './state-claims.js';
import { usesStateRef } from './state-layout.js';
import { StateRef } from './state-ref.js';

/**
 * Keeps a run's claim alive while the run works (ref mode): its lease is renewed every third of
 * `gitops.claim_lease_seconds` by the process doing the work, so a machine that dies stops
 * renewing and another watcher may take the claim over once the lease has run out. A renewal that
 * fails (the remote unreachable) is tried again at the next beat: the lease itself is the margin.
 */
export class LeaseKeeper {
  /** Another watcher took the claim over: this run must not write the task's status any more. */
  lost = false;
  private readonly timer: NodeJS.Timeout;
  private renewing: Promise<void> | undefined;

  private constructor(
    private readonly state: StateRef,
    private readonly leaseMs: number,
    private readonly taskId: string,
    private readonly runId: string,
    private readonly onLost: (by: string) => void,
  ) {
    this.timer = setInterval(() => this.beat(), Math.max(250, Math.floor(leaseMs / 3)));
    this.timer.unref();
  }

  /** Starts keeping the lease, or undefined when claims are not on the state ref. */
  static start(
    root: string,
    config: Config,
    taskId: string,
    runId: string,
    onLost: (message: string) => void,
  ): LeaseKeeper | undefined {
    if (!usesStateRef(config)) return undefined;
    const leaseMs = config.gitops.claim_lease_seconds * 1000;
    return new LeaseKeeper(StateRef.open(root, config), leaseMs, taskId, runId, onLost);
  }

  /** Stops renewing, once the renewal in flight (if any) has ended. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.renewing;
  }

  private beat(): void {
    // a renewal slower than a beat is not doubled: the next beat after it renews
    if (this.lost || this.renewing) return;
    this.renewing = (async () => {
      try {
        const answer = await renewLease(this.state, this.leaseMs, this.taskId, this.runId);
        if (answer !== 'lost' || this.lost) return;
        this.lost = true;
        clearInterval(this.timer);
        this.onLost(
          `the claim of run ${this.runId} ran out and another watcher took task ${this.taskId} over: this run's result is not written as the task's status`,
        );
      } catch {
        // the next beat tries again; a lease that runs out meanwhile is what it is for
      } finally {
        this.renewing = undefined;
      }
    })();
  }
}
