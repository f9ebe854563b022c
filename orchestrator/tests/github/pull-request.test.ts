/**
 * @octokit/fixtures records no pull-request scenario, so the pulls exchanges here are hand-built:
 * status codes, headers (copied from a recorded answer) and bodies follow GitHub's REST docs for
 * "List pull requests", "Create a pull request", "Update a pull request" and "Get a pull request"
 * (docs.github.com/rest/pulls/pulls), trimmed to the fields GitHub always sends. Adding labels replays
 * the recorded `add-labels-to-issue` scenario (a pull request is an issue to the labels API).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OperationError } from '../../src/errors.js';
import { createGitHubClient, type GitHubClient } from '../../src/github/github-client.js';
import { getPullRequest, openOrUpdatePullRequest } from '../../src/github/pull-request.js';
import { pullRequestObject, pullsExchanges } from '../helpers/github-objects.js';
import { handBuilt, loadScenario, startReplayServer, type ReplayServer } from '../helpers/github-replay.js';

const ORG = 'octokit-fixture-org';
const REPO = 'add-labels-to-issue';
const PULLS = `/repos/${ORG}/${REPO}/pulls`;
const HEAD = 'codex/add-login/r1';
const LIST_QUERY = `?head=${encodeURIComponent(`${ORG}:${HEAD}`)}&base=main&state=open`;
const TOKEN = loadScenario('add-labels-to-issue')[1].requestHeaders.authorization.replace(/^token /, '');
const input = {
  owner: ORG,
  repo: REPO,
  head: HEAD,
  base: 'main',
  title: 'add-login: Add login',
  body: 'Body',
};

/** A pull request of this test's repository and head. */
function pullRequest(
  number: number,
  fields: { title?: string; body?: string; state?: string; merged?: boolean } = {},
) {
  return pullRequestObject({
    org: ORG,
    repo: REPO,
    number,
    head: HEAD,
    title: fields.title ?? input.title,
    body: fields.body ?? input.body,
    state: fields.state,
    merged: fields.merged,
  });
}

const { list, created, updated } = pullsExchanges({ org: ORG, repo: REPO, head: HEAD, pullRequest });
/** GitHub's 422 for a create it refuses; `errors[].message` as the docs and real answers carry it. */
const refused = (message: string) =>
  handBuilt({
    why: 'create a pull request: 422',
    method: 'POST',
    path: PULLS,
    status: 422,
    body: {
      message: 'Validation Failed',
      errors: [{ resource: 'PullRequest', code: 'custom', message }],
      documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
      status: '422',
    },
  });

let server: ReplayServer;
let octokit: GitHubClient;

beforeEach(async () => {
  server = await startReplayServer();
  octokit = createGitHubClient({ token: TOKEN, baseUrl: server.url, sleep: async () => {} });
});

afterEach(async () => {
  await server.close();
  expect(server.unmatched).toEqual([]);
  expect(server.pending()).toEqual([]);
});

describe('openOrUpdatePullRequest', () => {
  it('creates a pull request when none is open for the head', async () => {
    server.push(list([]), created(1));
    const result = await openOrUpdatePullRequest(octokit, { ...input, draft: true });
    expect(result).toEqual({ number: 1, url: `https://github.com/${ORG}/${REPO}/pull/1`, created: true });
    expect(server.received[1].body).toEqual({
      head: HEAD,
      base: 'main',
      title: input.title,
      body: input.body,
      draft: true,
    });
  });

  it('updates the open pull request for the head instead of opening another', async () => {
    server.push(list([pullRequest(7, { title: 'old', body: 'old' })]), updated(7));
    const result = await openOrUpdatePullRequest(octokit, input);
    expect(result).toEqual({ number: 7, url: `https://github.com/${ORG}/${REPO}/pull/7`, created: false });
    expect(server.received.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET ${PULLS}${LIST_QUERY}`,
      `PATCH ${PULLS}/7`,
    ]);
    expect(server.received[1].body).toEqual({ title: input.title, body: input.body });
  });

  it('lists with an owner-qualified head as given for a branch in a fork', async () => {
    const forkQuery = `?head=${encodeURIComponent('someone:feature')}&base=main&state=open`;
    server.push(
      handBuilt({
        why: 'list pull requests',
        method: 'GET',
        path: `${PULLS}${forkQuery}`,
        status: 200,
        body: [],
      }),
      created(2),
    );
    await openOrUpdatePullRequest(octokit, { ...input, head: 'someone:feature' });
    expect((server.received[1].body as { head: string }).head).toBe('someone:feature');
  });

  it('falls back to updating when create answers 422 "A pull request already exists"', async () => {
    server.push(
      list([]),
      refused(`A pull request already exists for ${ORG}:${HEAD}.`),
      list([pullRequest(7)]),
      updated(7),
    );
    const result = await openOrUpdatePullRequest(octokit, input);
    expect(result).toEqual({ number: 7, url: `https://github.com/${ORG}/${REPO}/pull/7`, created: false });
    expect(server.received[3].body).toEqual({ title: input.title, body: input.body });
  });

  it('reports the 422 when the pull request that "already exists" cannot be found', async () => {
    server.push(list([]), refused(`A pull request already exists for ${ORG}:${HEAD}.`), list([]));
    const error = await openOrUpdatePullRequest(octokit, input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationError);
    expect((error as OperationError).hint).toBe(
      `GitHub rejected the request as invalid: A pull request already exists for ${ORG}:${HEAD}.`,
    );
  });

  it("surfaces GitHub's validation message for any other 422", async () => {
    server.push(list([]), refused(`No commits between main and ${HEAD}`));
    const error = await openOrUpdatePullRequest(octokit, input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationError);
    expect((error as OperationError).message).toBe(
      `GitHub: POST ${PULLS} failed: 422 Unprocessable Entity (Validation Failed)`,
    );
    expect((error as OperationError).hint).toBe(
      `GitHub rejected the request as invalid: No commits between main and ${HEAD}`,
    );
  });

  it('adds the labels to the pull request (recorded add-labels-to-issue)', async () => {
    const addLabels = loadScenario('add-labels-to-issue')[1];
    server.push(list([]), created(1), addLabels);
    const labels = (addLabels.requestBody as { labels: string[] }).labels;
    const result = await openOrUpdatePullRequest(octokit, { ...input, labels });
    expect(result.number).toBe(1);
    expect(server.received[2].path).toBe(addLabels.path);
    expect(server.received[2].body).toEqual(addLabels.requestBody);
  });

  it('answers a missing repository with the 404 hint', async () => {
    // Shape from GitHub's REST docs: 404 {"message": "Not Found", ...} for a repository the token cannot see.
    const path = `/repos/${ORG}/missing/pulls${LIST_QUERY}`;
    server.push(
      handBuilt({
        why: '404 repository not found (not in @octokit/fixtures)',
        method: 'GET',
        path,
        status: 404,
        body: {
          message: 'Not Found',
          documentation_url: 'https://docs.github.com/rest/pulls/pulls#list-pull-requests',
          status: '404',
        },
      }),
    );
    const error = await openOrUpdatePullRequest(octokit, { ...input, repo: 'missing' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OperationError);
    expect((error as OperationError).message).toBe(`GitHub: GET ${path} failed: 404 Not Found`);
    expect((error as OperationError).hint).toContain(
      `${ORG}/missing does not exist, or the token cannot see it`,
    );
  });
});

describe('getPullRequest', () => {
  it('reads the head, base, state and merge of a pull request', async () => {
    server.push(
      handBuilt({
        why: 'get a pull request',
        method: 'GET',
        path: `${PULLS}/7`,
        status: 200,
        body: pullRequest(7, { state: 'closed', merged: true }),
      }),
    );
    expect(await getPullRequest(octokit, { owner: ORG, repo: REPO, pull_number: 7 })).toEqual({
      number: 7,
      headRef: HEAD,
      headSha: '0000000000000000000000000000000000000002',
      baseRef: 'main',
      state: 'closed',
      merged: true,
      url: `https://github.com/${ORG}/${REPO}/pull/7`,
    });
  });
});
