import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OperationError, UsageError } from '../../src/errors.js';
import { setCommitStatus } from '../../src/github/commit-status.js';
import { createGitHubClient, type GitHubClient } from '../../src/github/github-client.js';
import { toOperationError } from '../../src/github/github-errors.js';
import {
  handBuilt,
  loadScenario,
  startReplayServer,
  type Exchange,
  type ReplayServer,
} from '../helpers/github-replay.js';

const ORG = 'octokit-fixture-org';
const SHA = '0000000000000000000000000000000000000001';
const STATUS_PATH = `/repos/${ORG}/create-status/statuses/${SHA}`;
/** The token the fixtures were recorded with (normalized by @octokit/fixtures). */
const TOKEN = loadScenario('create-status')[0].requestHeaders.authorization.replace(/^token /, '');
const NOW = Date.parse('2026-11-21T12:00:00Z');

/** The recorded `POST .../statuses/<sha>` answered 201 by GitHub. */
const createdStatus = () => loadScenario('create-status')[0];
const failureStatus = {
  owner: ORG,
  repo: 'create-status',
  sha: SHA,
  state: 'failure',
  context: 'example/1',
  description: 'create-status failure test',
  targetUrl: 'https://example.com',
} as const;

/**
 * A rate-limited answer. GitHub records none in the fixtures; the shape follows GitHub's REST docs,
 * "Rate limits for the REST API" (403 or 429, message naming the secondary rate limit, `retry-after`
 * in seconds, or `x-ratelimit-remaining: 0` with `x-ratelimit-reset` in epoch seconds).
 */
function rateLimited(status: 403 | 429, headers: Record<string, string>, primary = false): Exchange {
  return handBuilt({
    why: `${status} rate limit (not in @octokit/fixtures)`,
    method: 'POST',
    path: STATUS_PATH,
    status,
    headers,
    body: primary
      ? {
          message: 'API rate limit exceeded for user ID 1000.',
          documentation_url:
            'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-the-primary-rate-limit',
        }
      : {
          message:
            'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
          documentation_url:
            'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
        },
  });
}

let server: ReplayServer;
let waits: number[];

function client(options: { maxRetries?: number } = {}): GitHubClient {
  return createGitHubClient({
    token: TOKEN,
    baseUrl: server.url,
    sleep: async (ms) => {
      waits.push(ms);
    },
    now: () => NOW,
    ...options,
  });
}

beforeEach(async () => {
  server = await startReplayServer();
  waits = [];
});

afterEach(async () => {
  await server.close();
  expect(server.unmatched).toEqual([]);
  expect(server.pending()).toEqual([]);
});

describe('requests', () => {
  it('sends the token and JSON body GitHub was recorded accepting, and a codex-orchestrator user agent', async () => {
    const recorded = createdStatus();
    server.push(recorded);
    await setCommitStatus(client(), failureStatus);
    const [request] = server.received;
    expect(request.headers.authorization).toBe(recorded.requestHeaders.authorization);
    expect(request.headers.accept).toBe(recorded.requestHeaders.accept);
    expect(request.headers['content-type']).toBe(recorded.requestHeaders['content-type']);
    expect(request.headers['user-agent']).toMatch(/^codex-orchestrator /);
    expect(request.body).toEqual(recorded.requestBody);
  });

  it('refuses to start without a token', () => {
    expect(() => createGitHubClient({ token: '' })).toThrow(UsageError);
  });
});

describe('retries', () => {
  it('retries a 429 after the advertised retry-after, and the second attempt succeeds', async () => {
    server.push(rateLimited(429, { 'retry-after': '1' }), createdStatus());
    const status = await setCommitStatus(client(), failureStatus);
    expect(waits).toEqual([1000]);
    expect(server.received.map((r) => r.answeredBy)).toEqual([
      'hand-built: 429 rate limit (not in @octokit/fixtures)',
      'api.github.com/create-status #0',
    ]);
    expect(status.id).toBe(1000);
    // The retry resends the same request.
    expect(server.received[1].body).toEqual(server.received[0].body);
  });

  it('gives up after maxRetries with an OperationError naming the 429', async () => {
    server.push(
      rateLimited(429, { 'retry-after': '1' }),
      rateLimited(429, { 'retry-after': '1' }),
      rateLimited(429, { 'retry-after': '1' }),
    );
    const error = await setCommitStatus(client({ maxRetries: 2 }), failureStatus).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationError);
    expect((error as OperationError).message).toBe(
      `GitHub: POST ${STATUS_PATH} failed: 429 Too Many Requests (You have exceeded a secondary rate limit. Please wait a few minutes before you try again.)`,
    );
    expect((error as OperationError).hint).toBe('GitHub rate limit reached: retry after 1 s.');
    expect(waits).toEqual([1000, 1000]);
    expect(server.received).toHaveLength(3);
  });

  it('retries a secondary-rate-limit 403 that names no wait after one minute', async () => {
    server.push(rateLimited(403, {}), createdStatus());
    await setCommitStatus(client(), failureStatus);
    expect(waits).toEqual([60_000]);
  });

  it('retries a 403 that carries retry-after', async () => {
    server.push(rateLimited(403, { 'retry-after': '2' }), createdStatus());
    await setCommitStatus(client(), failureStatus);
    expect(waits).toEqual([2000]);
  });

  it('waits for x-ratelimit-reset when no requests remain', async () => {
    const reset = String(NOW / 1000 + 5);
    server.push(
      rateLimited(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }, true),
      createdStatus(),
    );
    await setCommitStatus(client(), failureStatus);
    expect(waits).toEqual([5000]);
  });

  it('fails at once when the limit resets later than the longest wait', async () => {
    const reset = String(NOW / 1000 + 3600);
    server.push(rateLimited(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }, true));
    const error = await setCommitStatus(client(), failureStatus).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationError);
    expect((error as OperationError).hint).toBe(
      'GitHub rate limit reached: it resets at 2026-11-21T13:00:00.000Z.',
    );
    expect(waits).toEqual([]);
  });

  it('does not retry a 403 for a missing permission, and names the permission', async () => {
    // Shape from GitHub's REST docs ("Troubleshooting the REST API": fine-grained tokens get
    // 403 "Resource not accessible by personal access token" and X-Accepted-GitHub-Permissions).
    server.push(
      handBuilt({
        why: '403 missing permission (not in @octokit/fixtures)',
        method: 'POST',
        path: STATUS_PATH,
        status: 403,
        headers: { 'x-accepted-github-permissions': 'statuses=write' },
        body: {
          message: 'Resource not accessible by personal access token',
          documentation_url: 'https://docs.github.com/rest/commits/statuses#create-a-commit-status',
          status: '403',
        },
      }),
    );
    const error = await setCommitStatus(client(), failureStatus).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationError);
    expect((error as OperationError).message).toBe(
      `GitHub: POST ${STATUS_PATH} failed: 403 Forbidden (Resource not accessible by personal access token)`,
    );
    expect((error as OperationError).hint).toContain('The token lacks permission statuses=write');
    expect(waits).toEqual([]);
    expect(server.received).toHaveLength(1);
  });

  it('does not retry a server error', async () => {
    server.push(
      handBuilt({
        why: '502 (not in @octokit/fixtures)',
        method: 'POST',
        path: STATUS_PATH,
        status: 502,
        body: { message: 'Server Error' },
      }),
    );
    const error = await setCommitStatus(client(), failureStatus).catch((e: unknown) => e);
    expect((error as OperationError).message).toBe(
      `GitHub: POST ${STATUS_PATH} failed: 502 Bad Gateway (Server Error)`,
    );
    expect(waits).toEqual([]);
  });
});

describe('errors', () => {
  it('turns the recorded 404 into an OperationError with the repository hint', async () => {
    const [notFound] = loadScenario('branch-protection');
    server.push(notFound);
    const error = toOperationError(
      await client()
        .rest.repos.getBranchProtection({ owner: ORG, repo: 'branch-protection', branch: 'main' })
        .catch((e: unknown) => e),
    );
    expect(error).toBeInstanceOf(OperationError);
    expect((error as OperationError).message).toBe(
      `GitHub: GET /repos/${ORG}/branch-protection/branches/main/protection failed: 404 Not Found (Branch not protected)`,
    );
    expect((error as OperationError).hint).toBe(
      `The repository ${ORG}/branch-protection does not exist, or the token cannot see it (GitHub answers 404 to tokens without access to a private repository).`,
    );
  });

  it("surfaces the recorded 422's validation errors", async () => {
    const [invalid] = loadScenario('errors');
    server.push(invalid);
    const error = toOperationError(
      await client()
        .rest.issues.createLabel({ owner: ORG, repo: 'errors', name: 'foo', color: 'invalid' })
        .catch((e: unknown) => e),
    );
    expect(server.received[0].body).toEqual(invalid.requestBody);
    expect((error as OperationError).message).toBe(
      `GitHub: POST /repos/${ORG}/errors/labels failed: 422 Unprocessable Entity (Validation Failed)`,
    );
    expect((error as OperationError).hint).toBe(
      'GitHub rejected the request as invalid: Label.color invalid',
    );
  });

  it('says to set GITHUB_TOKEN on a 401', async () => {
    // Shape from GitHub's REST docs ("Troubleshooting the REST API": 401 "Bad credentials").
    server.push(
      handBuilt({
        why: '401 bad credentials (not in @octokit/fixtures)',
        method: 'POST',
        path: STATUS_PATH,
        status: 401,
        body: {
          message: 'Bad credentials',
          documentation_url: 'https://docs.github.com/rest',
          status: '401',
        },
      }),
    );
    const error = await setCommitStatus(client(), failureStatus).catch((e: unknown) => e);
    expect((error as OperationError).message).toBe(
      `GitHub: POST ${STATUS_PATH} failed: 401 Unauthorized (Bad credentials)`,
    );
    expect((error as OperationError).hint).toContain('set GITHUB_TOKEN');
  });

  it('names the API URL when GitHub cannot be reached', async () => {
    const closed = await startReplayServer();
    await closed.close();
    const octokit = createGitHubClient({ token: TOKEN, baseUrl: closed.url });
    const error = await setCommitStatus(octokit, failureStatus).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationError);
    expect((error as OperationError).message).toMatch(new RegExp(`^GitHub: POST ${STATUS_PATH} failed: `));
    expect((error as OperationError).hint).toBe(
      `GitHub could not be reached at ${closed.url}; check the network and github.api_url.`,
    );
  });

  it('does not print failed requests on the console', async () => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      server.push(loadScenario('branch-protection')[0]);
      await client()
        .rest.repos.getBranchProtection({ owner: ORG, repo: 'branch-protection', branch: 'main' })
        .catch(() => undefined);
      expect(printed).not.toHaveBeenCalled();
    } finally {
      printed.mockRestore();
    }
  });

  it('leaves an error that is not a GitHub request failure alone', () => {
    const bug = new TypeError('x is undefined');
    expect(toOperationError(bug)).toBe(bug);
  });
});

describe('the replay server', () => {
  it('answers an unexpected request 500 and lists it as unmatched', async () => {
    const other = await startReplayServer([createdStatus()]);
    try {
      const octokit = createGitHubClient({ token: TOKEN, baseUrl: other.url });
      const error = await octokit.rest.repos
        .get({ owner: ORG, repo: 'hello-world' })
        .catch((e: unknown) => toOperationError(e));
      expect((error as OperationError).message).toContain(
        `500 Internal Server Error (replay: unexpected GET /repos/${ORG}/hello-world; expected POST ${STATUS_PATH} (api.github.com/create-status #0))`,
      );
      expect(other.unmatched.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /repos/${ORG}/hello-world`]);
      expect(other.pending()).toEqual([`POST ${STATUS_PATH} (api.github.com/create-status #0)`]);
    } finally {
      await other.close();
    }
  });
});
