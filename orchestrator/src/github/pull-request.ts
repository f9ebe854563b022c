import type { GitHubClient } from './github-client.js';
import { githubCall, isGitHubRequestError, toOperationError } from './github-errors.js';

export interface PullRequestInput {
  owner: string;
  repo: string;
  /** The branch; `owner:branch` for a branch in another fork. */
  head: string;
  base: string;
  title: string;
  body: string;
  labels?: string[];
  draft?: boolean;
}

export interface PullRequestRef {
  number: number;
  url: string;
  /** False when an open pull request for the same head and base was updated instead. */
  created: boolean;
}

export interface PullRequestInfo {
  number: number;
  headRef: string;
  headSha: string;
  baseRef: string;
  state: 'open' | 'closed';
  merged: boolean;
  url: string;
}

/** Opens a pull request for `head` into `base`, or updates the open one; one pull request per run branch. */
export async function openOrUpdatePullRequest(
  octokit: GitHubClient,
  input: PullRequestInput,
): Promise<PullRequestRef> {
  const { owner, repo } = input;
  const open = await findOpen(octokit, input);
  const pull = open !== undefined ? await update(octokit, input, open) : await create(octokit, input);
  if (input.labels && input.labels.length > 0) {
    const labels = input.labels;
    await githubCall(() => octokit.rest.issues.addLabels({ owner, repo, issue_number: pull.number, labels }));
  }
  return pull;
}

async function create(octokit: GitHubClient, input: PullRequestInput): Promise<PullRequestRef> {
  try {
    const { data } = await octokit.rest.pulls.create({
      owner: input.owner,
      repo: input.repo,
      head: input.head,
      base: input.base,
      title: input.title,
      body: input.body,
      draft: input.draft,
    });
    return { number: data.number, url: data.html_url, created: true };
  } catch (error) {
    // Another process opened it between our list and our create: update that one instead.
    if (!isAlreadyExists(error)) throw toOperationError(error);
    const open = await findOpen(octokit, input);
    if (open === undefined) throw toOperationError(error);
    return update(octokit, input, open);
  }
}

async function update(
  octokit: GitHubClient,
  input: PullRequestInput,
  pullNumber: number,
): Promise<PullRequestRef> {
  const { data } = await githubCall(() =>
    octokit.rest.pulls.update({
      owner: input.owner,
      repo: input.repo,
      pull_number: pullNumber,
      title: input.title,
      body: input.body,
    }),
  );
  return { number: data.number, url: data.html_url, created: false };
}

export async function getPullRequest(
  octokit: GitHubClient,
  params: { owner: string; repo: string; pull_number: number },
): Promise<PullRequestInfo> {
  const { data } = await githubCall(() => octokit.rest.pulls.get(params));
  return {
    number: data.number,
    headRef: data.head.ref,
    headSha: data.head.sha,
    baseRef: data.base.ref,
    state: data.state === 'open' ? 'open' : 'closed',
    merged: data.merged,
    url: data.html_url,
  };
}

/** The number of the open pull request from `head` into `base`, if there is one. */
async function findOpen(octokit: GitHubClient, input: PullRequestInput): Promise<number | undefined> {
  // The list filter wants `owner:branch`; a bare branch lives in the base repository.
  const head = input.head.includes(':') ? input.head : `${input.owner}:${input.head}`;
  const { data } = await githubCall(() =>
    octokit.rest.pulls.list({ owner: input.owner, repo: input.repo, head, base: input.base, state: 'open' }),
  );
  return data[0]?.number;
}

/** GitHub's 422 for a second pull request with the same head and base. */
function isAlreadyExists(error: unknown): boolean {
  if (!isGitHubRequestError(error) || error.status !== 422) return false;
  const errors = (error.response?.data as { errors?: { message?: unknown }[] } | undefined)?.errors;
  return (
    Array.isArray(errors) &&
    errors.some((e) => typeof e?.message === 'string' && /pull request already exists/i.test(e.message))
  );
}
