import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { worktreeDirOf } from '../../src/runs/run-layout.js';
import { validateRunManifest } from '../../src/generated/validators.js';
import { CLI, cxo, gitIn, indexJson, makeRepo } from '../helpers/temp-repo.js';

const CONFIG = 'guard:\n  require_spec: false\ntimeouts:\n  step_seconds: 5\n  command_seconds: 5\n';

function repo(task: Record<string, unknown>, extra: Record<string, string> = {}) {
  return makeRepo(
    {
      'codex.config.yaml': CONFIG,
      'codex.tasks.json': indexJson([{ id: 't', title: 'T', ...task }]),
      ...extra,
    },
    { git: true },
  );
}

function lastManifest(dir: string) {
  const runs = readdirSync(join(dir, '.runs/t')).sort();
  const runDir = join(dir, '.runs/t', runs[runs.length - 1]);
  const manifest = JSON.parse(readFileSync(join(runDir, 'manifest.json'), 'utf8'));
  expect(validateRunManifest(manifest), JSON.stringify(validateRunManifest.errors)).toBe(true);
  return { manifest, runDir };
}

/** Every file under a directory, as text. */
function allText(dir: string): string {
  let text = '';
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) text += readFileSync(join(entry.parentPath ?? entry.path, entry.name), 'utf8');
  }
  return text;
}

const BUILD = 'builder=command:printf "hello\\n" > greeting.txt';

describe('cxo run', () => {
  it('runs the whole pipeline and records only observed evidence', () => {
    const dir = repo({ acceptance: ['grep -q hello greeting.txt'], paths: ['greeting.txt'] });
    const r = cxo(dir, ['run', 't', '--role', 'manager=none', '--role', BUILD]);
    expect(r.code, r.stderr).toBe(0);
    const { manifest, runDir } = lastManifest(dir);
    expect(manifest.result).toEqual({ status: 'review', reason: null, error: null });
    expect(manifest.steps.map((s: { role: string; status: string }) => `${s.role}:${s.status}`)).toEqual([
      'manager:skipped',
      'builder:succeeded',
      'tester:succeeded',
      'reviewer:succeeded',
    ]);
    expect(manifest.commands).toEqual([
      expect.objectContaining({
        role: 'tester',
        command: 'grep -q hello greeting.txt',
        exitCode: 0,
        timedOut: false,
        cwd: '.',
      }),
    ]);
    expect(manifest.diff).toMatchObject({ files: ['greeting.txt'], insertions: 1, deletions: 0 });
    // the orchestrator committed the change on the run branch, with trailers
    const log = gitIn(dir, 'log', '-1', '--format=%an%n%B', manifest.run.branch);
    expect(log).toMatch(/^codex-orchestrator\ncxo\(t\): builder changes \[.+\]\n\nTask-Id: t\nRun-Id: /);
    expect(gitIn(dir, 'diff', manifest.trigger.baseCommit, manifest.run.branch)).toBe(
      readFileSync(join(dir, manifest.diff.artifact), 'utf8'),
    );
    // artifacts are hashed, paths repo-relative, the worktree removed after success
    for (const a of manifest.artifacts) expect(a.path.startsWith('.runs/t/')).toBe(true);
    expect(existsSync(worktreeDirOf(dir, manifest.run.id))).toBe(false);
    expect(
      readFileSync(join(runDir, 'runner.log'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).type),
    ).toContain('run-finished');
  });

  it('a failing acceptance command fails the run; the worktree is kept for inspection', () => {
    const dir = repo({ acceptance: ['grep -q goodbye greeting.txt'] });
    const r = cxo(dir, ['run', 't', '--role', 'manager=none', '--role', BUILD]);
    expect(r.code).toBe(1);
    const { manifest } = lastManifest(dir);
    expect(manifest.result).toMatchObject({ status: 'failed', reason: 'AcceptanceFailed' });
    expect(manifest.commands[0]).toMatchObject({ exitCode: 1 });
    expect(manifest.steps[3].status).toBe('pending');
    expect(existsSync(worktreeDirOf(dir, manifest.run.id))).toBe(true);
  });

  it('the reviewer fails a change outside the task paths', () => {
    const dir = repo({ paths: ['src/**'] });
    cxo(dir, ['run', 't', '--role', 'manager=none', '--role', BUILD]);
    const { manifest, runDir } = lastManifest(dir);
    expect(manifest.result.reason).toBe('ReviewFailed');
    const review = JSON.parse(readFileSync(join(runDir, 'review.json'), 'utf8'));
    expect(review.findings[0]).toMatchObject({
      file: 'greeting.txt',
      severity: 'error',
      message: expect.stringMatching(/outside the task paths/),
    });
  });

  it('a seeded secret never reaches the manifest, the logs, the transcripts or a commit', () => {
    const secret = 'ghp_0123456789abcdefghijABCDEFGHIJ012345';
    const dir = repo({ acceptance: ['echo "token is $SEEDED_TOKEN"; test -n "$HOME"'] });
    const env = { SEEDED_TOKEN: 'supersecretvalue123', GITHUB_TOKEN: secret };
    const r = cxo(
      dir,
      [
        'run',
        't',
        '--role',
        'manager=none',
        '--role',
        `builder=command:echo "${secret}" > leak.txt; echo "${secret}"`,
      ],
      env,
    );
    expect(r.code).toBe(1);
    const { manifest, runDir } = lastManifest(dir);
    // the reviewer caught it in the diff
    expect(manifest.result.reason).toBe('SecretLeak');
    const evidence = allText(runDir);
    expect(evidence).not.toContain(secret);
    expect(evidence).toContain('[REDACTED:');
    expect(manifest.redactions).toBeGreaterThan(0);
    // agents and commands get a scrubbed environment: the orchestrator's tokens are not passed on
    expect(readFileSync(join(runDir, 'commands/acceptance-1.stdout.log'), 'utf8')).toBe('token is \n');
    expect(gitIn(dir, 'log', '--all', '--format=%B')).not.toContain(secret);
  });

  it('a step timeout kills the whole process group, grandchildren included', () => {
    const dir = repo({});
    const marker = `cxo-grandchild-${process.pid}-${Date.now()}`;
    const started = Date.now();
    const r = cxo(dir, [
      'run',
      't',
      '--role',
      'manager=none',
      '--role',
      `builder=command:sh -c 'exec -a ${marker} sleep 300' & sleep 300`,
    ]);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(r.code).toBe(1);
    const { manifest } = lastManifest(dir);
    expect(manifest.result).toMatchObject({ status: 'failed', reason: 'Timeout' });
    const ps = spawnSync('ps', ['-eo', 'stat,args'], { encoding: 'utf8' }).stdout;
    expect(ps.split('\n').filter((l) => l.includes(marker) && !l.startsWith('Z'))).toEqual([]);
  });

  it('a manager plan is validated; an invalid plan fails the run', () => {
    const dir = repo({});
    const good =
      'manager=command:printf \'{"summary":"s","steps":["a"],"acceptance":["true"]}\' > {plan_file}';
    expect(cxo(dir, ['run', 't', '--role', good, '--role', BUILD]).code).toBe(0);
    expect(lastManifest(dir).manifest.commands.map((c: { command: string }) => c.command)).toEqual(['true']);
    const bad = 'manager=command:printf \'{"steps":[]}\' > {plan_file}';
    expect(cxo(dir, ['run', 't', '--role', bad, '--role', BUILD]).code).toBe(1);
    expect(lastManifest(dir).manifest.result).toMatchObject({ status: 'failed', reason: 'InvalidPlan' });
  });

  it('honours the dispatch gate unless --force, and records the reason', () => {
    const dir = makeRepo({ 'codex.tasks.json': indexJson([{ id: 't', title: 'T' }]) }, { git: true });
    const held = cxo(dir, ['run', 't', '--role', 'manager=none', '--role', BUILD]);
    expect(held.code).toBe(1);
    expect(held.stderr).toMatch(/task "t" may not run: MissingSpec/);
    expect(existsSync(join(dir, '.runs'))).toBe(false);
    expect(
      cxo(dir, ['run', 't', '--role', 'manager=none', '--role', BUILD, '--force', 'spike, no spec yet']).code,
    ).toBe(0);
    expect(lastManifest(dir).manifest.run.forced).toBe('spike, no spec yet');
  });

  it('names unknown adapters and bad role syntax (exit 2, nothing started)', () => {
    const dir = repo({});
    const unknown = cxo(dir, ['run', 't', '--role', 'manager=none', '--role', 'builder=gemini']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown adapter "gemini"/);
    expect(unknown.stderr).toMatch(
      /adapters: builtin\[:MODEL\], codex\[:exec\|app-server\|mcp-server\], claude/,
    );
    expect(cxo(dir, ['run', 't', '--role', 'painter=command:x']).code).toBe(2);
    expect(existsSync(join(dir, '.runs'))).toBe(false);
  });

  it('--detach starts in the background; status --watch follows it to the end', () => {
    const dir = repo({ acceptance: ['true'] });
    const r = cxo(dir, [
      'run',
      't',
      '--detach',
      '--json',
      '--role',
      'manager=none',
      '--role',
      'builder=command:sleep 1; echo hi > a.txt',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const { runId } = JSON.parse(r.stdout);
    const watched = cxo(dir, ['status', runId, '--watch']);
    expect(watched.code).toBe(0);
    expect(watched.stdout).toMatch(/result:\s+review/);
    expect(JSON.parse(cxo(dir, ['runs', 'list', '--json']).stdout).runs[0]).toMatchObject({
      id: runId,
      status: 'review',
    });
  });

  it('cxo cancel stops a detached run and records it as cancelled', () => {
    const dir = repo({});
    const { runId } = JSON.parse(
      cxo(dir, [
        'run',
        't',
        '--detach',
        '--json',
        '--role',
        'manager=none',
        '--role',
        'builder=command:sleep 30',
      ]).stdout,
    );
    // wait until the builder is running
    for (
      let i = 0;
      i < 100 &&
      !/builder:running/.test(
        JSON.stringify(
          JSON.parse(cxo(dir, ['status', runId, '--json']).stdout).steps.map(
            (s: { role: string; status: string }) => `${s.role}:${s.status}`,
          ),
        ),
      );
      i++
    ) {
      spawnSync('sleep', ['0.1']);
    }
    const c = cxo(dir, ['cancel', runId]);
    expect(c.code).toBe(0);
    const { manifest } = lastManifest(dir);
    expect(manifest.result.status).toBe('cancelled');
    expect(manifest.steps[1].status).toBe('cancelled');
  });
});

describe('cxo run on a terminal', () => {
  it('shows a live listr2 view of the four steps', () => {
    const dir = repo({ acceptance: ['true'] });
    const log = join(dir, '..', `tty-${Date.now()}.log`);
    const command = `stty cols 120 rows 40; ${process.execPath} ${CLI} run t --role manager=none --role '${BUILD.replace(/'/g, `'\\''`)}'`;
    const r = spawnSync('script', ['-qec', command, log], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '', TERM: 'xterm' },
    });
    expect(r.status, r.stderr).toBe(0);
    const screen = readFileSync(log, 'utf8').replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    expect(screen).toContain('↓ manager: no manager: plan derived from the task');
    expect(screen).toMatch(/✔ builder: exited 0/);
    expect(screen).toContain('✔ tester: 1 acceptance command(s) passed');
    expect(screen).toContain('✔ reviewer: 1 file(s) changed, no blocking findings');
  });
});

describe('the recorded diff is what the branch holds', () => {
  it('files an acceptance command leaves behind are not part of the change, and verify passes', () => {
    const dir = repo({ acceptance: ['touch built.txt'] });
    expect(cxo(dir, ['run', 't', '--role', 'manager=none', '--role', BUILD]).code).toBe(0);
    const { manifest } = lastManifest(dir);
    expect(manifest.diff.files).toEqual(['greeting.txt']);
    const v = cxo(dir, ['verify', manifest.run.id]);
    expect(v.code, v.stdout + v.stderr).toBe(0);
  });

  it('--no-commit keeps the worktree with the uncommitted change, and records its diff', () => {
    const dir = repo({});
    expect(cxo(dir, ['run', 't', '--no-commit', '--role', 'manager=none', '--role', BUILD]).code).toBe(0);
    const { manifest } = lastManifest(dir);
    expect(manifest.run.noCommit).toBe(true);
    expect(manifest.diff).toMatchObject({ files: ['greeting.txt'], headCommit: null });
    expect(readFileSync(join(worktreeDirOf(dir, manifest.run.id), 'greeting.txt'), 'utf8')).toBe('hello\n');
    expect(gitIn(dir, 'rev-parse', manifest.run.branch).trim()).toBe(manifest.trigger.baseCommit);
  });
});

describe('the environment of agents and commands', () => {
  it('is the allow-list plus exactly what env.pass_through names', () => {
    const dir = repo({ acceptance: ['echo "region=$CLOUD_REGION other=$OTHER_SETTING"'] });
    writeFileSync(join(dir, 'codex.config.yaml'), `${CONFIG}env:\n  pass_through: [CLOUD_*]\n`);
    const r = cxo(dir, ['run', 't', '--force', 'test', '--role', 'manager=none', '--role', BUILD], {
      CLOUD_REGION: 'eu-west-9',
      OTHER_SETTING: 'not-passed',
    });
    expect(r.code, r.stderr).toBe(0);
    const { runDir } = lastManifest(dir);
    expect(readFileSync(join(runDir, 'commands/acceptance-1.stdout.log'), 'utf8')).toBe(
      'region=eu-west-9 other=\n',
    );
  });
});
