import { NotFoundError, UsageError } from '../errors.js';
import { connectGitHub } from '../github/github-repo.js';
import { listReviewDecisions, type ReviewDecision } from '../github/pr-reviews.js';
import { getPullRequest } from '../github/pull-request.js';
import type { Config } from '../repo/config.js';
import { RunRecorder } from '../runs/run-recorder.js';
import { findRunDir } from '../runs/verify-run.js';
import { signOff, type SignOffResult } from './sign-off.js';

export type GitHubSignOff =
  | { recorded: true; pr: number; review: ReviewDecision; result: SignOffResult }
  | { recorded: false; pr: number; why: string };

/**
 * Records a pull request's review decision as the sign-off of the run its branch holds
 * (`codex/<task>/<run>`): any standing request for changes wins (the latest one is recorded),
 * else the latest approval. The reviewer's GitHub login signs, and the review's URL is kept, so
 * running it again for the same review records nothing new.
 */
export async function signOffFromGitHub(options: {
  root: string;
  config: Config;
  pr: number;
  env: NodeJS.ProcessEnv;
  merge?: boolean;
}): Promise<GitHubSignOff> {
  const { root, config, pr } = options;
  const gh = connectGitHub(root, config, options.env);
  const pull = await getPullRequest(gh.octokit, { owner: gh.owner, repo: gh.repo, pull_number: pr });
  const match = /^codex\/([^/]+)\/([^/]+)$/.exec(pull.headRef);
  if (!match) {
    throw new UsageError(
      `pull request #${pr} is from ${pull.headRef}, not from a run branch (codex/<task>/<run>)`,
    );
  }
  const runId = match[2];
  const decisions = await listReviewDecisions(gh.octokit, {
    owner: gh.owner,
    repo: gh.repo,
    pull_number: pr,
  });
  const latest = (state: ReviewDecision['state']) =>
    decisions
      .filter((d) => d.state === state)
      .sort((a, b) => (a.submittedAt ?? '').localeCompare(b.submittedAt ?? ''))
      .at(-1);
  const review = latest('CHANGES_REQUESTED') ?? latest('APPROVED');
  if (!review) return { recorded: false, pr, why: 'no approval or request for changes stands on it' };
  // the run id is exact: its manifest is found without loading the task index (signOff loads it)
  const dir = findRunDir(root, runId);
  if (!dir)
    throw new NotFoundError(
      `pull request #${pr} is from ${pull.headRef}, but run ${runId} is not under .runs/`,
    );
  if (RunRecorder.read(root, dir).signoffs?.some((s) => s.url === review.url)) {
    return { recorded: false, pr, why: `the review ${review.url} is recorded already` };
  }
  const approve = review.state === 'APPROVED';
  const result = await signOff({
    root,
    config,
    target: runId,
    decision: approve ? 'approve' : 'request-changes',
    comment: review.body.trim() || (approve ? undefined : 'changes requested on GitHub'),
    by: review.login,
    env: options.env,
    source: 'github',
    url: review.url,
    merge: approve && options.merge,
  });
  return { recorded: true, pr, review, result };
}
