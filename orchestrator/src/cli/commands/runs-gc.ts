import { UsageError } from '../../errors.js';
import { type GcRun, planGc, pruneRunFiles } from '../../runs/gc-runs.js';
import { usesStateRef } from '../../state/state-layout.js';
import { pruneStateRuns } from '../../state/prune-state-runs.js';
import { syncStateRuns } from '../../state/state-runs.js';
import type { CommandHandler } from '../command-table.js';
import { openGitRepo } from '../open-repo.js';

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * `cxo runs gc [--keep N] [--older-than AGE] [--include-review] [--dry-run]`: drops the artifact
 * bytes of old runs by the evidence policy; manifests (every hash) stay, and verify reports the
 * dropped artifacts as pruned.
 */
const runsGc: CommandHandler = async ({ cwd, options, out }) => {
  const { root, config } = await openGitRepo(cwd);
  const keep = options.keep === undefined ? config.evidence.gc.keep : count(options.keep);
  const olderThanMs =
    options['older-than'] === undefined
      ? config.evidence.gc.older_than_days * UNIT_MS.d
      : age(options['older-than']);
  const dryRun = Boolean(options['dry-run']);
  // in ref mode the runs of every clone are on the state ref: gc sees them all
  syncStateRuns(root, config);
  const plan = planGc(root, { keep, olderThanMs, includeReview: Boolean(options['include-review']) });
  let stateCommit: string | undefined;
  if (!dryRun && plan.prune.length > 0) {
    const at = new Date().toISOString();
    for (const run of plan.prune) pruneRunFiles(root, run, at);
    if (usesStateRef(config)) stateCommit = await pruneStateRuns(root, config, plan.prune);
  }
  if (options.json) {
    out.json({
      dryRun,
      keep,
      olderThanMs,
      pruned: plan.prune.map((r: GcRun) => ({
        run: r.runId,
        task: r.taskId,
        dir: r.dir,
        status: r.status,
        artifacts: r.artifacts.map((a) => a.path),
        bytes: r.bytes,
      })),
      kept: plan.kept,
      skipped: plan.skipped,
      ...(stateCommit ? { stateCommit } : {}),
    });
    return 0;
  }
  const verb = dryRun ? 'would prune' : 'pruned';
  for (const r of plan.prune)
    out.line(
      `${verb} ${out.bold(r.runId)} (${r.taskId}, ${r.status}): ${r.artifacts.length} artifact(s), ${r.bytes} bytes`,
    );
  for (const s of plan.skipped) out.line(`left alone ${s.runId} (${s.taskId}): ${s.why}`);
  const bytes = plan.prune.reduce((sum, r) => sum + r.bytes, 0);
  out.line(
    plan.prune.length
      ? `${verb} the artifacts of ${plan.prune.length} run(s), ${bytes} bytes; ${plan.kept} run(s) kept; manifests stay${stateCommit ? `; state ref at ${stateCommit.slice(0, 12)}` : ''}`
      : `nothing to prune; ${plan.kept} run(s) kept`,
  );
  return 0;
};
export default runsGc;

function count(value: unknown): number {
  if (typeof value !== 'string' || !/^\d+$/.test(value))
    throw new UsageError(`--keep must be a whole number of runs, not "${String(value)}"`);
  return Number(value);
}

/** `30d`, `12h`, `90m`, `2w` in milliseconds. */
function age(value: unknown): number {
  const m = typeof value === 'string' ? /^(\d+)([mhdw])$/.exec(value) : null;
  if (!m)
    throw new UsageError(
      `--older-than "${String(value)}" is not an age`,
      'write a whole number and a unit: 90m, 12h, 30d or 2w (0d: any age)',
    );
  return Number(m[1]) * UNIT_MS[m[2]];
}
