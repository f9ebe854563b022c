import type { GitHubClient } from './github-client.js';
import { githubCall } from './github-errors.js';

export interface ReviewDecision {
  login: string;
  state: 'APPROVED' | 'CHANGES_REQUESTED';
  submittedAt: string | null;
  commitId: string | null;
  url: string;
  body: string;
}

/**
 * Each reviewer's standing decision on a pull request: their latest APPROVED or CHANGES_REQUESTED
 * review. A later COMMENTED review leaves it standing; a DISMISSED review withdraws it. Sorted by login.
 */
export async function listReviewDecisions(
  octokit: GitHubClient,
  params: { owner: string; repo: string; pull_number: number },
): Promise<ReviewDecision[]> {
  const reviews = await githubCall(() =>
    octokit.paginate(octokit.rest.pulls.listReviews, { ...params, per_page: 100 }),
  );
  // GitHub lists reviews oldest first; a stable sort on the submission time keeps that order for ties.
  const ordered = reviews
    .map((review, index) => ({ review, index }))
    .sort((a, b) => compare(a.review.submitted_at ?? '', b.review.submitted_at ?? '') || a.index - b.index)
    .map(({ review }) => review);
  const decisions = new Map<string, ReviewDecision>();
  for (const review of ordered) {
    const login = review.user?.login;
    if (!login) continue; // a deleted account
    if (review.state === 'DISMISSED') decisions.delete(login);
    else if (review.state === 'APPROVED' || review.state === 'CHANGES_REQUESTED') {
      decisions.set(login, {
        login,
        state: review.state,
        submittedAt: review.submitted_at ?? null,
        commitId: review.commit_id ?? null,
        url: review.html_url,
        body: review.body ?? '',
      });
    }
  }
  return [...decisions.values()].sort((a, b) => compare(a.login, b.login));
}

/** Code-unit order, independent of the locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
