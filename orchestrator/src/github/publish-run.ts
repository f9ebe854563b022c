import { UsageError } from '../errors.js';
import { pushWithLease } from '../git/push.js';
import type { Config } from '../repo/config.js';
import { readRunFile } from '../runs/artifact-store.js';
import type { RunManifest } from '../runs/manifest-types.js';
import { MANIFEST } from '../runs/run-recorder.js';
import { type CommitState, setCommitStatus } from './commit-status.js';
import type { GitHubRepo } from './github-repo.js';
import { type PullRequestReview, renderPullRequestBody } from './pr-body.js';
import { openOrUpdatePullRequest, type PullRequestRef } from './pull-request.js';

export interface PublishedRun extends PullRequestRef {
  branch: string;
  /** The head commit of the run branch, which carries the tester's verdict. */
  sha: string;
  state: CommitState;
}

/**
 * A run on GitHub: its branch pushed (with a lease), a pull request into the base branch opened
 * or updated (title from the task, body from the manifest, the configured labels), and a commit
 * status on the branch head carrying the tester's verdict.
 */
export async function publishRun(
  root: string,
  config: Config,
  gh: GitHubRepo,
  dir: string,
  manifest: RunManifest,
  options: { draft?: boolean } = {},
): Promise<PublishedRun> {
  const branch = manifest.run.branch;
  if (manifest.result.status === 'running') {
    throw new UsageError(
      `run ${manifest.run.id} has not ended`,
      `wait for it: cxo status ${manifest.run.id} --watch`,
    );
  }
  if (!manifest.diff?.headCommit) {
    throw new UsageError(
      `run ${manifest.run.id} committed no change to its branch, so there is nothing to propose`,
    );
  }
  const pushed = await pushWithLease({
    root,
    remote: config.gitops.remote,
    branch,
    attempts: config.gitops.push_attempts,
  });
  const manifestPath = `${dir}/${MANIFEST}`;
  const pull = await openOrUpdatePullRequest(gh.octokit, {
    owner: gh.owner,
    repo: gh.repo,
    head: branch,
    base: config.base_branch,
    title: `${manifest.task.title} (${manifest.task.id})`,
    body: renderPullRequestBody(manifest, {
      manifestPath,
      manifestUrl: `${gh.webUrl}/blob/${config.base_branch}/${manifestPath}`,
      review: readReview(root, manifest),
    }),
    labels: config.github.labels,
    draft: options.draft,
  });
  const tester = manifest.steps.find((s) => s.role === 'tester');
  const state: CommitState =
    tester?.status === 'succeeded' ? 'success' : tester?.status === 'failed' ? 'failure' : 'error';
  await setCommitStatus(gh.octokit, {
    owner: gh.owner,
    repo: gh.repo,
    sha: pushed.commit,
    state,
    context: config.github.status_context,
    description: `tester ${tester?.status ?? 'did not run'}${tester?.summary ? `: ${tester.summary}` : ''}`,
    targetUrl: pull.url,
  });
  return { ...pull, branch, sha: pushed.commit, state };
}

function readReview(root: string, manifest: RunManifest): PullRequestReview | undefined {
  const artifact = (manifest.review as { artifact?: string } | null)?.artifact;
  if (!artifact) return undefined;
  try {
    return JSON.parse(readRunFile(root, manifest, artifact).toString('utf8')) as PullRequestReview;
  } catch {
    return undefined;
  }
}
