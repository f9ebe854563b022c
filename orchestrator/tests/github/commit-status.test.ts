import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cutDescription, setCommitStatus } from '../../src/github/commit-status.js';
import { createGitHubClient, type GitHubClient } from '../../src/github/github-client.js';
import { loadScenario, startReplayServer, type ReplayServer } from '../helpers/github-replay.js';

const ORG = 'octokit-fixture-org';
const SHA = '0000000000000000000000000000000000000001';
/** The recorded scenario: a failure status, then a success status, on the same commit. */
const scenario = () => loadScenario('create-status');
const TOKEN = scenario()[0].requestHeaders.authorization.replace(/^token /, '');

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

describe('setCommitStatus (recorded create-status)', () => {
  it('sends what GitHub recorded accepting, for a failure and a success', async () => {
    const [failure, success] = scenario();
    server.push(failure, success);
    const first = await setCommitStatus(octokit, {
      owner: ORG,
      repo: 'create-status',
      sha: SHA,
      state: 'failure',
      context: 'example/1',
      description: 'create-status failure test',
      targetUrl: 'https://example.com',
    });
    await setCommitStatus(octokit, {
      owner: ORG,
      repo: 'create-status',
      sha: SHA,
      state: 'success',
      context: 'example/2',
      description: 'create-status success test',
      targetUrl: 'https://example.com',
    });
    expect(server.received.map((r) => r.body)).toEqual([failure.requestBody, success.requestBody]);
    expect(first).toEqual({
      id: 1000,
      url: `https://api.github.com/repos/${ORG}/create-status/statuses/${SHA}`,
    });
  });

  it("cuts the description to GitHub's 140 characters and leaves out an absent target URL", async () => {
    server.push(scenario()[0]);
    await setCommitStatus(octokit, {
      owner: ORG,
      repo: 'create-status',
      sha: SHA,
      state: 'pending',
      context: 'cxo/tester',
      description: `npm test:\n${'x'.repeat(300)}`,
    });
    const body = server.received[0].body as Record<string, string>;
    expect(Object.keys(body).sort()).toEqual(['context', 'description', 'state']);
    expect(body.state).toBe('pending');
    expect([...body.description]).toHaveLength(140);
    expect(body.description).toMatch(/^npm test: x+…$/);
  });
});

describe('cutDescription', () => {
  it('keeps a short description as it is', () => {
    expect(cutDescription('3 of 3 acceptance commands passed')).toBe('3 of 3 acceptance commands passed');
  });

  it('never splits a character outside the basic plane', () => {
    const cut = cutDescription('😀'.repeat(200));
    expect([...cut]).toHaveLength(140);
    expect(cut).toBe(`${'😀'.repeat(139)}…`);
  });
});
