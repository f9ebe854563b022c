/**
 * `gitops.state_sync: pr`: sign-offs in ref mode keep `main` untouched and land the `done`
 * statuses through one pull request from `cxo/state-sync`, remade from `main` at each sign-off and
 * opened, then updated, on a loopback GitHub that answers as GitHub does (the pulls exchanges are
 * hand-built from GitHub's REST docs, as in ../github/pull-request.test.ts). The CLI runs as an async
 * child process: the loopback server answers from this process's event loop.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeSource } from '../../src/repo/source-text.js';
import { parseTaskIndex } from '../../src/repo/task-index.js';
import { pullRequestObject, pullsExchanges } from '../helpers/github-objects.js';
import { loadScenario, type ReplayServer, startReplayServer } from '../helpers/github-replay.js';
import { cxoAsync } from '../helpers/run-repo.js';
import { sharedRemote } from '../helpers/shared-remote.js';
import { cxo, gitIn, indexJson } from '../helpers/temp-repo.js';

const ORG = 'octokit-fixture-org';
const REPO = 'add-labels-to-issue';
const HEAD = 'cxo/state-sync';
const TOKEN = loadScenario('add-labels-to-issue')[1].requestHeaders.authorization.replace(/^token /, '');

const pullRequest = (number: number) =>
  pullRequestObject({ org: ORG, repo: REPO, number, head: HEAD, title: 'cxo: task statuses', body: '' });
const { list, created, updated } = pullsExchanges({ org: ORG, repo: REPO, head: HEAD, pullRequest });

let server: ReplayServer;
beforeEach(async () => {
  server = await startReplayServer();
});
afterEach(async () => {
  await server.close();
  expect(server.unmatched).toEqual([]);
  expect(server.pending()).toEqual([]);
});

/** The task index on a branch of the bare remote, parsed. */
function indexOn(bare: string, branch: string) {
  const bytes = Buffer.from(gitIn(bare, 'show', `${branch}:codex.tasks.json`), 'utf8');
  return parseTaskIndex(decodeSource('codex.tasks.json', bytes).source!, 'full').index!;
}

describe('gitops.state_sync: pr', () => {
  it('lands the done statuses of sign-offs through one pull request, remade from main, and never commits on main', async () => {
    const tasks = ['t1', 't2'].map((id) => ({
      id,
      title: `Greeting ${id}`,
      acceptance: ['grep -q hello greeting.txt'],
      request: 'r1',
    }));
    const { bare, clone } = sharedRemote(
      {
        'codex.config.yaml': [
          'guard:\n  require_spec: false',
          'agents:\n  manager: none\n  builder: "command:printf \'hello\\\\n\' > greeting.txt"',
          'gitops:\n  state: ref\n  push: true\n  state_sync: pr',
          `github:\n  repo: ${ORG}/${REPO}\n  api_url: ${server.url}`,
          '',
        ].join('\n'),
        'codex.tasks.json': indexJson(tasks),
        '.gitignore': '.runs/\n',
      },
      'cxo-sync-pr-',
    );
    const dir = clone('a');
    const mainBefore = gitIn(bare, 'rev-parse', 'main').trim();
    const watched = cxo(dir, ['watch', '--once']);
    expect(watched.code, watched.stdout + watched.stderr).toBe(0);

    server.push(list([]), created(1));
    const first = await cxoAsync(dir, ['review', 't1', '--approve', '--by', 'bob'], { GITHUB_TOKEN: TOKEN });
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toContain('the status pull request #1 lands 1 done status(es) on the base branch');
    expect(server.received[1].body).toMatchObject({
      head: HEAD,
      base: 'main',
      title: 'cxo: task statuses (1 done)',
    });
    const once = gitIn(bare, 'rev-parse', HEAD).trim();
    expect(gitIn(bare, 'rev-parse', `${HEAD}^`).trim()).toBe(mainBefore);
    expect(indexOn(bare, HEAD).byId.get('t1')?.status).toMatchObject({
      phase: 'done',
      observedRequest: 'r1',
    });
    expect(indexOn(bare, HEAD).byId.get('t2')?.status).toBeUndefined();

    // the second sign-off: the branch is remade from main with both, the open pull request updated
    server.push(list([pullRequest(1)]), updated(1));
    const second = await cxoAsync(dir, ['review', 't2', '--approve', '--by', 'bob'], { GITHUB_TOKEN: TOKEN });
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(server.received[3]).toMatchObject({
      method: 'PATCH',
      body: { title: 'cxo: task statuses (2 done)' },
    });
    expect(String((server.received[3].body as { body: string }).body)).toContain('- `t2`');
    const twice = gitIn(bare, 'rev-parse', HEAD).trim();
    expect(twice).not.toBe(once);
    expect(gitIn(bare, 'rev-parse', `${HEAD}^`).trim()).toBe(mainBefore);
    for (const id of ['t1', 't2']) expect(indexOn(bare, HEAD).byId.get(id)?.status?.phase).toBe('done');
    // the diff of the pull request is the two status blocks and nothing else
    const changed = gitIn(bare, 'diff', '--name-only', mainBefore, HEAD).trim();
    expect(changed).toBe('codex.tasks.json');
    expect(gitIn(bare, 'rev-parse', 'main').trim()).toBe(mainBefore);
  }, 120_000);

  it('keeps the status on the state ref and says why when there is no GitHub token', async () => {
    const { clone } = sharedRemote(
      {
        'codex.config.yaml': `guard:\n  require_spec: false\nagents:\n  manager: none\n  builder: "command:true"\ngitops:\n  state: ref\n  push: true\n  state_sync: pr\ngithub:\n  repo: ${ORG}/${REPO}\n  api_url: ${server.url}\n`,
        'codex.tasks.json': indexJson([{ id: 't1', title: 'T', request: 'r1' }]),
        '.gitignore': '.runs/\n',
      },
      'cxo-sync-pr-',
    );
    const dir = clone('a');
    expect(cxo(dir, ['watch', '--once']).code).toBe(0);
    const review = await cxoAsync(dir, ['review', 't1', '--approve', '--by', 'bob'], { GITHUB_TOKEN: '' });
    expect(review.code, review.stderr).toBe(0);
    expect(review.stderr).toContain(
      'the status is on the state ref, but the status pull request was not updated: no GitHub token',
    );
    expect(JSON.parse(cxo(dir, ['tasks', 'show', 't1', '--json']).stdout)).toMatchObject({
      task: { status: { phase: 'done' } },
    });
  }, 60_000);
});
