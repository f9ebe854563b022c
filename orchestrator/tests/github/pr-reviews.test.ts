/**
 * @octokit/fixtures records no pull-request reviews, so the two pages here are hand-built: review
 * objects follow GitHub's REST docs, "List reviews for a pull request"
 * (docs.github.com/rest/pulls/reviews); the `link` header copies the form of the recorded
 * `paginate-issues` scenario (absolute api.github.com URLs under /repositories/<id>/).
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createGitHubClient } from '../../src/github/github-client.js';
import { listReviewDecisions } from '../../src/github/pr-reviews.js';
import { reviewObject } from '../helpers/github-objects.js';
import { handBuilt, loadScenario, startReplayServer, type ReplayServer } from '../helpers/github-replay.js';

const ORG = 'octokit-fixture-org';
const REPO = 'hello-world';
const TOKEN = loadScenario('get-repository')[0].requestHeaders.authorization.replace(/^token /, '');
const PAGE_2 = '/repositories/1000/pulls/7/reviews?per_page=100&page=2';

const review = (login: string | null, state: string, submittedAt: string | null, commit?: string) =>
  reviewObject({ org: ORG, repo: REPO, number: 7, login, state, submittedAt, commit });

let server: ReplayServer;

beforeEach(async () => {
  server = await startReplayServer();
});

afterEach(async () => {
  await server.close();
  expect(server.unmatched).toEqual([]);
  expect(server.pending()).toEqual([]);
});

it("keeps each reviewer's latest approval or change request, over two pages", async () => {
  const t = (minute: number) => `2026-11-21T10:${String(minute).padStart(2, '0')}:00Z`;
  const page1 = [
    review('zoe', 'APPROVED', t(0)),
    review('alice', 'APPROVED', t(1), 'b'.repeat(40)),
    review('bob', 'CHANGES_REQUESTED', t(2)),
    review('alice', 'COMMENTED', t(3)),
    review('carol', 'APPROVED', t(4)),
  ];
  const page2 = [
    review('carol', 'DISMISSED', t(5)),
    review('bob', 'APPROVED', t(6), 'c'.repeat(40)),
    review('frank', 'APPROVED', t(7)),
    review('frank', 'CHANGES_REQUESTED', t(8)),
    review('dave', 'COMMENTED', t(9)),
    review(null, 'CHANGES_REQUESTED', t(10)),
    review('erin', 'PENDING', null),
  ];
  server.push(
    handBuilt({
      why: 'list reviews, page 1',
      method: 'GET',
      path: `/repos/${ORG}/${REPO}/pulls/7/reviews?per_page=100`,
      status: 200,
      headers: {
        link: `<https://api.github.com${PAGE_2}>; rel="next", <https://api.github.com${PAGE_2}>; rel="last"`,
      },
      body: page1,
    }),
    handBuilt({
      why: 'list reviews, page 2',
      method: 'GET',
      path: PAGE_2,
      status: 200,
      headers: {
        link: '<https://api.github.com/repositories/1000/pulls/7/reviews?per_page=100&page=1>; rel="prev", <https://api.github.com/repositories/1000/pulls/7/reviews?per_page=100&page=1>; rel="first"',
      },
      body: page2,
    }),
  );
  const octokit = createGitHubClient({ token: TOKEN, baseUrl: server.url });
  const decisions = await listReviewDecisions(octokit, { owner: ORG, repo: REPO, pull_number: 7 });
  expect(decisions.map((d) => [d.login, d.state])).toEqual([
    ['alice', 'APPROVED'],
    ['bob', 'APPROVED'],
    ['frank', 'CHANGES_REQUESTED'],
    ['zoe', 'APPROVED'],
  ]);
  expect(decisions[0]).toEqual({
    login: 'alice',
    state: 'APPROVED',
    submittedAt: t(1),
    commitId: 'b'.repeat(40),
    url: page1[1].html_url,
    body: 'APPROVED by alice',
  });
  expect(decisions[1].commitId).toBe('c'.repeat(40));
});

it('finds no decisions on a pull request without reviews', async () => {
  server.push(
    handBuilt({
      why: 'list reviews, none',
      method: 'GET',
      path: `/repos/${ORG}/${REPO}/pulls/8/reviews?per_page=100`,
      status: 200,
      body: [],
    }),
  );
  const octokit = createGitHubClient({ token: TOKEN, baseUrl: server.url });
  expect(await listReviewDecisions(octokit, { owner: ORG, repo: REPO, pull_number: 8 })).toEqual([]);
});
