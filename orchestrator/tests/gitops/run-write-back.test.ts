import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gitIn, indexJson, makeRepo, read, cxo } from '../helpers/temp-repo.js';

const CONFIG = 'guard:\n  require_spec: false\n';
const BUILD = 'builder=command:printf "hello\\n" > greeting.txt';

function repo(
  config = CONFIG,
  tasks: unknown[] = [{ id: 't', title: 'T', acceptance: ['grep -q hello greeting.txt'] }],
) {
  return makeRepo(
    {
      'codex.config.yaml': config,
      'codex.tasks.json': indexJson([...tasks, { id: 'other', title: 'Other' }]),
      'notes.txt': 'one\n',
    },
    { git: true },
  );
}

const run = (dir: string, ...extra: string[]) =>
  cxo(dir, ['run', 't', '--role', 'manager=none', '--role', BUILD, ...extra]);

/** The task's status as committed at HEAD (or in the working copy). */
function statusOf(dir: string, id: string, where: 'HEAD' | 'working' = 'HEAD') {
  const text = where === 'HEAD' ? gitIn(dir, 'show', 'HEAD:codex.tasks.json') : read(dir, 'codex.tasks.json');
  const index = JSON.parse(text) as {
    tasks: { id: string; title: string; status?: Record<string, unknown> }[];
  };
  return index.tasks.find((t) => t.id === id);
}

const trailer = (dir: string, key: string, rev = 'HEAD') =>
  gitIn(dir, 'log', '-1', `--format=%(trailers:key=${key},valueonly)`, rev).trim();

describe('status write-back of cxo run', () => {
  it('commits running, then the result with all of the run evidence, and leaves git status clean', () => {
    const dir = repo();
    const base = gitIn(dir, 'rev-parse', 'HEAD').trim();
    const r = run(dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/status running committed \([0-9a-f]{12}\)/);
    expect(r.stdout).toMatch(/status review committed \([0-9a-f]{12}\)/);
    const runId = trailer(dir, 'Run-Id');
    const runDir = `.runs/t/${runId}`;
    expect(gitIn(dir, 'log', '--format=%s', `${base}..HEAD`).trim().split('\n')).toEqual([
      `cxo(t): review [${runId}]`,
      `cxo(t): running [${runId}]`,
    ]);
    // the person who ran cxo authors its status commits; the orchestrator commits them
    expect(gitIn(dir, 'log', '--format=%an|%cn', `${base}..HEAD`).trim().split('\n')).toEqual([
      'Test Person|codex-orchestrator',
      'Test Person|codex-orchestrator',
    ]);
    expect(trailer(dir, 'Task-Id')).toBe('t');
    expect(trailer(dir, 'Manifest')).toBe(`${runDir}/manifest.json`);
    const committedManifest = gitIn(dir, 'show', `HEAD:${runDir}/manifest.json`);
    expect(trailer(dir, 'Manifest-Sha256')).toBe(
      createHash('sha256').update(committedManifest).digest('hex'),
    );
    expect(JSON.parse(committedManifest).result.status).toBe('review');
    // every evidence file is committed, none is left modified or untracked
    expect(gitIn(dir, 'ls-files', runDir)).toContain(`${runDir}/diff.patch`);
    expect(gitIn(dir, 'status', '--porcelain')).toBe('');
    expect(statusOf(dir, 't')?.status).toMatchObject({
      phase: 'review',
      lastRun: { id: runId, manifest: `${runDir}/manifest.json`, result: 'review' },
    });
    // the running commit carries no evidence yet
    expect(trailer(dir, 'Manifest', 'HEAD~1')).toBe('');
    expect(JSON.parse(gitIn(dir, 'show', 'HEAD~1:codex.tasks.json')).tasks[0].status.phase).toBe('running');
    // the index stays valid and the guard accepts the manifest it names
    expect(cxo(dir, ['validate']).code).toBe(0);
    expect(cxo(dir, ['guard']).code, cxo(dir, ['guard']).stdout).toBe(0);
  });

  it('records a failed run as failed, with its reason and message', () => {
    const dir = repo(CONFIG, [{ id: 't', title: 'T', acceptance: ['false'] }]);
    expect(run(dir).code).toBe(1);
    expect(statusOf(dir, 't')?.status).toMatchObject({
      phase: 'failed',
      reason: 'AcceptanceFailed',
      message: '`false` failed (see commands in the manifest)',
      lastRun: { result: 'failed' },
    });
    expect(gitIn(dir, 'status', '--porcelain')).toBe('');
  });

  it("keeps a person's uncommitted and staged edits while it commits", () => {
    const dir = repo();
    // staged: a change to notes.txt; unstaged: a new title of another task in the index
    writeFileSync(join(dir, 'notes.txt'), 'one\ntwo\n');
    gitIn(dir, 'add', 'notes.txt');
    const edited = read(dir, 'codex.tasks.json').replace('"title": "Other"', '"title": "Other, renamed"');
    writeFileSync(join(dir, 'codex.tasks.json'), edited);
    expect(run(dir).code).toBe(0);
    // HEAD has the status but not the person's edits
    expect(statusOf(dir, 'other')?.title).toBe('Other');
    expect(gitIn(dir, 'show', 'HEAD:notes.txt')).toBe('one\n');
    // the working copy has both the person's edit and the status
    expect(statusOf(dir, 'other', 'working')?.title).toBe('Other, renamed');
    expect(statusOf(dir, 't', 'working')?.status?.phase).toBe('review');
    expect(gitIn(dir, 'diff', '--cached', '--name-only').trim()).toBe('notes.txt');
    expect(gitIn(dir, 'diff', '--name-only').trim()).toBe('codex.tasks.json');
  });

  it("keeps the person's own status edit when both changed it, and logs the conflict", () => {
    const dir = repo();
    const index = JSON.parse(read(dir, 'codex.tasks.json'));
    index.tasks[0].status = { phase: 'blocked', reason: 'WaitingOnDesign' };
    writeFileSync(join(dir, 'codex.tasks.json'), `${JSON.stringify(index, null, 2)}\n`);
    const r = run(dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("your uncommitted edit of the task's status was kept");
    expect(statusOf(dir, 't', 'working')?.status).toEqual({ phase: 'blocked', reason: 'WaitingOnDesign' });
    expect(statusOf(dir, 't')?.status?.phase).toBe('review');
    const log = readFileSync(join(dir, '.git/codex-orchestrator/write-back.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(log.map((l) => [l.phase, l.conflict?.field ?? null])).toEqual([
      ['running', 'status'],
      ['review', 'status'],
    ]);
  });

  it('writes the status to the working copy only when the task is not committed yet', () => {
    const dir = repo(CONFIG, []);
    const index = JSON.parse(read(dir, 'codex.tasks.json'));
    index.tasks.push({ id: 't', title: 'T', acceptance: ['grep -q hello greeting.txt'] });
    writeFileSync(join(dir, 'codex.tasks.json'), `${JSON.stringify(index, null, 2)}\n`);
    const head = gitIn(dir, 'rev-parse', 'HEAD');
    const r = run(dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('status review: not committed');
    expect(r.stdout).toContain('written to the working copy only');
    expect(gitIn(dir, 'rev-parse', 'HEAD')).toBe(head);
    expect(statusOf(dir, 't', 'working')?.status?.phase).toBe('review');
  });

  it('commits nothing with gitops.write_back: false', () => {
    const dir = repo(`${CONFIG}gitops:\n  write_back: false\n`);
    const head = gitIn(dir, 'rev-parse', 'HEAD');
    expect(run(dir).code).toBe(0);
    expect(gitIn(dir, 'rev-parse', 'HEAD')).toBe(head);
    expect(statusOf(dir, 't', 'working')?.status).toBeUndefined();
  });
});
