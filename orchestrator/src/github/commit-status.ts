import type { GitHubClient } from './github-client.js';
import { githubCall } from './github-errors.js';

export type CommitState = 'pending' | 'success' | 'failure' | 'error';

export interface CommitStatusInput {
  owner: string;
  repo: string;
  sha: string;
  state: CommitState;
  context: string;
  description: string;
  targetUrl?: string;
}

/** GitHub rejects a longer status description with a 422. */
export const MAX_STATUS_DESCRIPTION = 140;

export async function setCommitStatus(
  octokit: GitHubClient,
  input: CommitStatusInput,
): Promise<{ id: number; url: string }> {
  const { data } = await githubCall(() =>
    octokit.rest.repos.createCommitStatus({
      owner: input.owner,
      repo: input.repo,
      sha: input.sha,
      state: input.state,
      target_url: input.targetUrl,
      description: cutDescription(input.description),
      context: input.context,
    }),
  );
  return { id: data.id, url: data.url };
}

/** Cut by code points, so that a surrogate pair is never split. */
export function cutDescription(text: string): string {
  const chars = Array.from(text.replace(/\s+/g, ' ').trim());
  if (chars.length <= MAX_STATUS_DESCRIPTION) return chars.join('');
  return `${chars.slice(0, MAX_STATUS_DESCRIPTION - 1).join('')}…`;
}
