/**
 * `cxo pr` and `cxo review --from-github` end to end: the built CLI, a real git repository with a
 * bare remote, and GitHub replaced by the loopback replay server. Pull requests, reviews and
 * labels are hand-built (see github-objects.ts; @octokit/fixtures records none of them); the
 * commit status answer is the recorded `create-status` scenario's.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunManifest } from '../../src/runs/manifest-types.js';
import { pullRequestObject, reviewObject } from '../helpers/github-objects.js';
import { handBuilt, loadScenario, startReplayServer, type ReplayServer } from '../helpers/github-replay.js';
import { cxoAsync } from '../helpers/run-repo.js';
import { cxo, gitIn, indexJson, makeRepo, read } from '../helpers/temp-repo.js';

const ORG = 'octokit-fixture-org';
const REPO = 'hello-world';
const TOKEN = 'test-token-0000';

let server: ReplayServer;
beforeEach(async () => {
  server = await startReplayServer();
});
afterEach(async () => {
  expect(server.unmatched).toEqual([]);
  expect(server.pending()).toEqual([]);
  await server.close();
});

/** A repository with a bare origin and task t run to review; returns it with the run's ids. */
function repoWithRun(): { dir: string; runId: string; branch: string; head: string } {
  const dir = makeRepo(
    {
      'codex.config.yaml': `guard:\n  require_spec: false\ngithub:\n  repo: ${ORG}/${REPO}\n  api_url: ${server.url}\n`,
      'codex.tasks.json': indexJson([
        { id: 't', title: 'Greet', acceptance: ['grep -q hello greeting.txt'] },
      ]),
    },
    { git: true },
  );
  const bare = join(mkdtempSync(join(tmpdir(), 'cxo-origin-')), 'origin.git');
  gitIn(dir, 'init', '-q', '--bare', bare);
  gitIn(dir, 'remote', 'add', 'origin', bare);
  gitIn(dir, 'push', '-q', 'origin', 'main');
  const r = cxo(dir, [
    'run',
    't',
    '--role',
    'manager=none',
    '--role',
    'builder=command:echo hello > greeting.txt',
  ]);
  expect(r.code, r.stderr).toBe(0);
  const runId = gitIn(dir, 'log', '-1', '--format=%(trailers:key=Run-Id,valueonly)').trim();
  const manifest = JSON.parse(read(dir, `.runs/t/${runId}/manifest.json`)) as RunManifest;
  return { dir, runId, branch: manifest.run.branch, head: manifest.diff!.headCommit! };
}

const env = { GITHUB_TOKEN: TOKEN };

describe('cxo pr', () => {
  it('pushes the run branch, opens its pull request with the manifest as body, labels it, and sets the status', async () => {
    const { dir, runId, branch, head } = repoWithRun();
    const pulls = `/repos/${ORG}/${REPO}/pulls`;
    const pull = pullRequestObject({
      org: ORG,
      repo: REPO,
      number: 12,
      head: branch,
      title: 'Greet (t)',
      body: '',
    });
    const status = loadScenario('create-status')[0];
    server.push(
      handBuilt({
        why: 'no open pull request for the run branch yet',
        method: 'GET',
        path: `${pulls}?head=${encodeURIComponent(`${ORG}:${branch}`)}&base=main&state=open`,
        status: 200,
        body: [],
      }),
      handBuilt({ why: 'create a pull request', method: 'POST', path: pulls, status: 201, body: pull }),
      handBuilt({
        why: 'add labels to the pull request',
        method: 'POST',
        path: `/repos/${ORG}/${REPO}/issues/12/labels`,
        status: 200,
        body: [{ id: 1, name: 'codex-orchestrator', color: 'ededed', default: false }],
      }),
      { ...status, path: `/repos/${ORG}/${REPO}/statuses/${head}` },
    );
    const r = await cxoAsync(dir, ['pr', 't'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`opened pull request #12: https://github.com/${ORG}/${REPO}/pull/12`);
    // the branch is on the remote, at the commit the status names
    expect(gitIn(dir, 'ls-remote', 'origin', branch).split('\t')[0]).toBe(head);
    const [, create, labels, commitStatus] = server.received;
    expect(create.headers.authorization).toBe(`token ${TOKEN}`);
    const body = create.body as { title: string; head: string; base: string; body: string };
    expect(body).toMatchObject({ title: 'Greet (t)', head: branch, base: 'main' });
    expect(body.body).toContain(`<!-- cxo:run ${runId} -->`);
    expect(body.body).toContain('grep -q hello greeting.txt');
    // the manifest link is on the web host of the API (here the loopback server)
    expect(body.body).toContain(`${server.url}/${ORG}/${REPO}/blob/main/.runs/t/${runId}/manifest.json`);
    expect(labels.body).toEqual({ labels: ['codex-orchestrator'] });
    expect(commitStatus.body).toMatchObject({ state: 'success', context: 'cxo/tester' });
  });

  it('says which variable to set when there is no token', () => {
    const { dir } = repoWithRun();
    const r = cxo(dir, ['pr', 't'], { GITHUB_TOKEN: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no GitHub token: GITHUB_TOKEN is not set');
  });
});

describe('cxo review --from-github', () => {
  function reviewExchanges(branch: string, head: string, reviews: ReturnType<typeof reviewObject>[]) {
    return [
      handBuilt({
        why: 'get the pull request',
        method: 'GET',
        path: `/repos/${ORG}/${REPO}/pulls/12`,
        status: 200,
        body: pullRequestObject({
          org: ORG,
          repo: REPO,
          number: 12,
          head: branch,
          headSha: head,
          title: 'Greet (t)',
          body: '',
        }),
      }),
      handBuilt({
        why: 'list its reviews',
        method: 'GET',
        path: `/repos/${ORG}/${REPO}/pulls/12/reviews?per_page=100`,
        status: 200,
        body: reviews,
      }),
    ];
  }

  it("records the PR's approval as the run's sign-off, once", async () => {
    const { dir, runId, branch, head } = repoWithRun();
    const approval = reviewObject({
      org: ORG,
      repo: REPO,
      number: 12,
      login: 'octocat',
      state: 'APPROVED',
      submittedAt: '2026-11-21T10:00:00Z',
      commit: head,
      body: 'Ship it',
    });
    const commented = reviewObject({
      org: ORG,
      repo: REPO,
      number: 12,
      login: 'hubot',
      state: 'COMMENTED',
      submittedAt: '2026-11-21T10:05:00Z',
    });
    server.push(...reviewExchanges(branch, head, [approval, commented]));
    const r = await cxoAsync(dir, ['review', '--from-github', '12'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`octocat approved run ${runId}: task t is done`);
    const manifest = JSON.parse(read(dir, `.runs/t/${runId}/manifest.json`)) as RunManifest;
    expect(manifest.signoffs).toEqual([
      expect.objectContaining({
        by: 'octocat',
        decision: 'approve',
        comment: 'Ship it',
        source: 'github',
        url: approval.html_url,
      }),
    ]);
    expect(JSON.parse(gitIn(dir, 'show', 'HEAD:codex.tasks.json')).tasks[0].status.phase).toBe('done');
    // the workflow runs again on the next review event: the same review is not recorded twice
    server.push(...reviewExchanges(branch, head, [approval, commented]));
    const again = await cxoAsync(dir, ['review', '--from-github', '12'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('nothing to record');
  });

  it('a standing request for changes wins over an approval and becomes the feedback', async () => {
    const { dir, branch, head } = repoWithRun();
    server.push(
      ...reviewExchanges(branch, head, [
        reviewObject({
          org: ORG,
          repo: REPO,
          number: 12,
          login: 'octocat',
          state: 'APPROVED',
          submittedAt: '2026-11-21T10:00:00Z',
        }),
        reviewObject({
          org: ORG,
          repo: REPO,
          number: 12,
          login: 'hubot',
          state: 'CHANGES_REQUESTED',
          submittedAt: '2026-11-21T09:00:00Z',
          body: 'Say hello in French',
        }),
      ]),
    );
    const r = await cxoAsync(dir, ['review', '--from-github', '12'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(gitIn(dir, 'show', 'HEAD:codex.tasks.json')).tasks[0].status).toMatchObject({
      phase: 'changes-requested',
      message: 'Say hello in French',
    });
  });

  it('refuses a pull request that is not from a run branch, and conflicting arguments', async () => {
    const { dir, head } = repoWithRun();
    server.push(...reviewExchanges('feature/login', head, []).slice(0, 1));
    const r = await cxoAsync(dir, ['review', '--from-github', '12'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('pull request #12 is from feature/login, not from a run branch');
    expect(cxo(dir, ['review', 't', '--from-github', '12']).stderr).toContain('drop the other arguments');
  });
});
