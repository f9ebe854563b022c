import { handBuilt } from './github-replay.js';
/**
 * GitHub REST objects for hand-built exchanges (@octokit/fixtures records no pull requests or
 * reviews): the shapes follow GitHub's REST docs, "Pulls" and "Reviews"
 * (docs.github.com/rest/pulls), trimmed to the fields GitHub always sends.
 */

const USER = {
  login: 'octokit-fixture-user-a',
  id: 1000,
  node_id: 'MDA6RW50aXR5MQ==',
  type: 'User',
  site_admin: false,
  url: 'https://api.github.com/users/octokit-fixture-user-a',
  html_url: 'https://github.com/octokit-fixture-user-a',
};

export function pullRequestObject(p: {
  org: string;
  repo: string;
  number: number;
  head: string;
  headSha?: string;
  title: string;
  body: string;
  state?: string;
  merged?: boolean;
}) {
  const branch = (ref: string, sha: string) => ({
    label: `${p.org}:${ref}`,
    ref,
    sha,
    user: USER,
    repo: {
      id: 1000,
      node_id: 'MDA6RW50aXR5MQ==',
      name: p.repo,
      full_name: `${p.org}/${p.repo}`,
      private: false,
    },
  });
  return {
    url: `https://api.github.com/repos/${p.org}/${p.repo}/pulls/${p.number}`,
    id: 1000 + p.number,
    node_id: 'MDA6RW50aXR5MQ==',
    html_url: `https://github.com/${p.org}/${p.repo}/pull/${p.number}`,
    diff_url: `https://github.com/${p.org}/${p.repo}/pull/${p.number}.diff`,
    issue_url: `https://api.github.com/repos/${p.org}/${p.repo}/issues/${p.number}`,
    number: p.number,
    state: p.state ?? 'open',
    locked: false,
    title: p.title,
    user: USER,
    body: p.body,
    labels: [],
    created_at: '2017-10-10T16:00:00Z',
    updated_at: '2017-10-10T16:00:00Z',
    closed_at: null,
    merged_at: null,
    merge_commit_sha: null,
    draft: false,
    head: branch(p.head, p.headSha ?? '0000000000000000000000000000000000000002'),
    base: branch('main', '0000000000000000000000000000000000000001'),
    author_association: 'OWNER',
    merged: p.merged ?? false,
  };
}

let reviewId = 80;

export function reviewObject(p: {
  org: string;
  repo: string;
  number: number;
  login: string | null;
  state: string;
  submittedAt: string | null;
  commit?: string;
  body?: string;
}) {
  reviewId += 1;
  const id = reviewId;
  const user = p.login
    ? { login: p.login, id: 1000 + id, node_id: 'MDA6RW50aXR5MQ==', type: 'User', site_admin: false }
    : null;
  const pull = `https://api.github.com/repos/${p.org}/${p.repo}/pulls/${p.number}`;
  const html = `https://github.com/${p.org}/${p.repo}/pull/${p.number}#pullrequestreview-${id}`;
  return {
    id,
    node_id: 'MDE3OlB1bGxSZXF1ZXN0UmV2aWV3ODA=',
    user,
    body: p.body ?? `${p.state} by ${p.login ?? 'ghost'}`,
    state: p.state,
    html_url: html,
    pull_request_url: pull,
    _links: { html: { href: html }, pull_request: { href: pull } },
    ...(p.submittedAt ? { submitted_at: p.submittedAt } : {}),
    commit_id: p.commit ?? 'a'.repeat(40),
    author_association: 'COLLABORATOR',
  };
}

/**
 * The hand-built pulls exchanges of one repository and head (GitHub's REST docs for "List pull
 * requests", "Create a pull request", "Update a pull request"), answering with `pullRequest(n)`.
 */
export function pullsExchanges(p: {
  org: string;
  repo: string;
  head: string;
  pullRequest: (number: number) => unknown;
}) {
  const pulls = `/repos/${p.org}/${p.repo}/pulls`;
  const query = `?head=${encodeURIComponent(`${p.org}:${p.head}`)}&base=main&state=open`;
  return {
    list: (open: unknown[]) =>
      handBuilt({
        why: 'list pull requests',
        method: 'GET',
        path: `${pulls}${query}`,
        status: 200,
        body: open,
      }),
    created: (number: number) =>
      handBuilt({
        why: 'create a pull request',
        method: 'POST',
        path: pulls,
        status: 201,
        body: p.pullRequest(number),
      }),
    updated: (number: number) =>
      handBuilt({
        why: 'update a pull request',
        method: 'PATCH',
        path: `${pulls}/${number}`,
        status: 200,
        body: p.pullRequest(number),
      }),
  };
}
