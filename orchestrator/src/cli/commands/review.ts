import { UsageError } from '../../errors.js';
import { type Decision, signOff, type SignOffResult } from '../../review/sign-off.js';
import type { CommandHandler } from '../command-table.js';
import { openGitRepo } from '../open-repo.js';
import { pushIfAsked } from '../push-after.js';
import { syncStateRunsFromRemote } from '../../state/state-runs.js';

/** `cxo review TARGET --approve|--request-changes`: a reviewer's sign-off on a run. */
const review: CommandHandler = async (ctx) => {
  const { cwd, args, options, out } = ctx;
  if (options['from-github'] !== undefined) return fromGitHub(ctx);
  if (!args.target) throw new UsageError('which run? give a run id or a task id', 'or --from-github PR');
  const decision = decisionOf(options);
  const comment = (options.message as string | undefined)?.trim() || undefined;
  if (decision === 'request-changes' && !comment) {
    throw new UsageError(
      '--request-changes needs -m MSG',
      'say what to change: the next run gets it in its prompt',
    );
  }
  const { root, config } = await openGitRepo(cwd);
  // a run made in another clone is reviewed from its evidence on the state ref and its pushed branch
  const stale = await syncStateRunsFromRemote(root, config);
  if (stale) out.error(`warning: reviewing the state as this clone last fetched it: ${stale}`);
  const result = await signOff({
    root,
    config,
    target: args.target!,
    decision,
    comment,
    by: options.by as string | undefined,
    env: process.env,
    merge: Boolean(options.merge),
  });
  if (options.json) out.json(result);
  else printResult(out, result);
  return (await pushIfAsked(root, config, options, out, onBranch(result))) ? 0 : 1;
};
export default review;

/** `--from-github PR`: the pull request's standing review decision becomes the run's sign-off. */
async function fromGitHub({ cwd, args, options, out }: Parameters<CommandHandler>[0]): Promise<number> {
  if (args.target || options.approve || options['request-changes'] || options.by || options.message) {
    throw new UsageError(
      '--from-github takes the decision, reviewer and comment from the pull request',
      'drop the other arguments',
    );
  }
  const pr = Number(options['from-github']);
  if (!Number.isInteger(pr) || pr <= 0)
    throw new UsageError(
      `--from-github needs a pull request number, not "${String(options['from-github'])}"`,
    );
  const { root, config } = await openGitRepo(cwd);
  const stale = await syncStateRunsFromRemote(root, config);
  if (stale) out.error(`warning: reviewing the state as this clone last fetched it: ${stale}`);
  const { signOffFromGitHub } = await import('../../review/from-github.js');
  const outcome = await signOffFromGitHub({
    root,
    config,
    pr,
    env: process.env,
    merge: Boolean(options.merge),
  });
  if (options.json) out.json(outcome);
  else if (!outcome.recorded) out.line(`pull request #${pr}: nothing to record (${outcome.why})`);
  else printResult(out, outcome.result);
  if (!outcome.recorded) return 0;
  return (await pushIfAsked(root, config, options, out, onBranch(outcome.result))) ? 0 : 1;
}

/** Whether the sign-off committed on the branch: inline always, in ref mode only a state_sync commit. */
function onBranch(r: SignOffResult): boolean {
  return r.on === 'branch' || r.synced !== undefined;
}

function decisionOf(options: Record<string, unknown>): Decision {
  if (options.approve && options['request-changes'])
    throw new UsageError('give one of --approve and --request-changes, not both');
  if (options.approve) return 'approve';
  if (options['request-changes']) return 'request-changes';
  throw new UsageError('say what you decide: --approve or --request-changes');
}

function printResult(out: Parameters<CommandHandler>[0]['out'], r: SignOffResult): void {
  const phase = r.decision === 'approve' ? 'done' : 'changes-requested';
  const verb = r.decision === 'approve' ? 'approved' : 'requested changes on';
  out.line(
    `${r.by} ${verb} run ${out.bold(r.runId)}: task ${r.taskId} is ${phase} (commit ${r.commit.slice(0, 12)})`,
  );
  if (r.synced) out.line(`  synced the status to the branch (commit ${r.synced.slice(0, 12)})`);
  if (r.syncPullRequest)
    out.line(
      `  the status pull request #${r.syncPullRequest.number} lands ${r.syncPullRequest.tasks.length} done status(es) on the base branch: ${r.syncPullRequest.url}`,
    );
  if (r.warning) out.error(`warning: ${r.warning}`);
  if (r.checklist) out.line(`  ticked ${r.checklist}, citing ${r.dir}/manifest.json`);
  if (r.merge) out.line(`  merged the run branch into the base branch (${r.merge.slice(0, 12)})`);
  if (!r.signed)
    out.error(
      "warning: the sign-off is not signed (no SSH signing key that .cxo/allowed_signers lists); it will not count where the spec's risk requires signatures",
    );
  for (const c of r.conflicts)
    out.line(`  kept your uncommitted edit of ${c}; the committed version has the review`);
}
