/**
 * The builtin adapter end to end: the built CLI runs the pipeline with the built-in agent loop
 * (the real openai SDK) against the scripted model server on loopback.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startModelServer } from '../../src/model-server/server.js';
import type { Scenario } from '../../src/model-server/scenario.js';
import type { RunManifest } from '../../src/runs/manifest-types.js';
import { worktreeDirOf } from '../../src/runs/run-layout.js';
import { cxoAsync } from '../helpers/run-repo.js';
import { gitIn, indexJson, makeRepo, read } from '../helpers/temp-repo.js';

type Server = Awaited<ReturnType<typeof startModelServer>>;
let server: Server | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const PLAN = {
  summary: 'Add a greeting module',
  steps: ['write greeting.txt'],
  acceptance: ['grep -q hello greeting.txt'],
  files: ['greeting.txt'],
  risks: [],
};
const REVIEW = { score: 1, findings: [], secret_leak: false };

/** Manager plans, builder writes and checks, reviewer approves. */
function happyScenario(): Scenario {
  return {
    model: 'scripted-1',
    scripts: [
      { name: 'manager', when: '# Role: manager', steps: [{ read: 'README.md' }, { json: PLAN }] },
      {
        name: 'builder',
        when: '# Role: builder',
        steps: [
          { write: { path: 'greeting.txt', content: 'hello\n' } },
          { shell: 'grep -q hello greeting.txt && echo found' },
          { finish: 'wrote greeting.txt' },
        ],
      },
      {
        name: 'reviewer',
        when: '# Role: reviewer',
        steps: [{ shell: 'git diff --stat HEAD~1' }, { json: REVIEW }],
      },
    ],
  };
}

function repo(builtin: Record<string, unknown>, url: string): string {
  const settings = Object.entries({ base_url: url, model: 'scripted-1', ...builtin })
    .map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`)
    .join('\n');
  return makeRepo(
    {
      'codex.config.yaml': `guard:\n  require_spec: false\nagents:\n  manager: builtin\n  builder: builtin\n  reviewer: builtin\n  builtin:\n${settings}\n`,
      'codex.tasks.json': indexJson([
        { id: 't', title: 'Greet', description: 'Write greeting.txt saying hello.' },
      ]),
      'README.md': '# Project\n',
    },
    { git: true },
  );
}

function lastManifest(dir: string): { manifest: RunManifest; runDir: string } {
  const runs = readdirSync(join(dir, '.runs/t')).sort();
  const runDir = `.runs/t/${runs.at(-1)}`;
  return { manifest: JSON.parse(read(dir, `${runDir}/manifest.json`)) as RunManifest, runDir };
}

const transcript = (dir: string, runDir: string, role: string) =>
  readFileSync(join(dir, runDir, 'transcripts', `${role}.ndjson`), 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('builtin adapter', () => {
  for (const api of ['responses', 'chat'] as const) {
    it(`runs manager, builder and reviewer through the ${api} API`, async () => {
      server = await startModelServer({ scenario: happyScenario() });
      const dir = repo({ api }, server.url);
      const r = await cxoAsync(dir, ['run', 't']);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const { manifest, runDir } = lastManifest(dir);
      expect(manifest.steps.map((s) => `${s.role}:${s.status}`)).toEqual([
        'manager:succeeded',
        'builder:succeeded',
        'tester:succeeded',
        'reviewer:succeeded',
      ]);
      // the plan came back as structured output and its acceptance command ran
      expect(JSON.parse(read(dir, `${runDir}/plan.json`))).toEqual(PLAN);
      expect(manifest.commands.map((c) => [c.command, c.exitCode])).toEqual([
        ['grep -q hello greeting.txt', 0],
      ]);
      expect(manifest.diff?.files).toEqual(['greeting.txt']);
      const builder = manifest.steps[1];
      expect(builder).toMatchObject({ model: 'scripted-1', summary: 'wrote greeting.txt' });
      expect(builder.usage).toMatchObject({ turns: 3 });
      expect((builder.usage?.input_tokens ?? 0) > 0).toBe(true);
      // the agent's own command is in its transcript, apart from the acceptance commands
      const events = transcript(dir, runDir, 'builder');
      expect(events).toContainEqual(expect.objectContaining({ type: 'command_finished', exitCode: 0 }));
      expect(events).toContainEqual(expect.objectContaining({ type: 'tool_call', name: 'write_file' }));
      // the plan and the review were asked for in the API's structured-output format
      const formats = server.requests.map((q) => {
        const body = q.body as {
          text?: { format?: { name?: string } };
          response_format?: { json_schema?: { name?: string } };
        };
        return `${q.script}:${body.text?.format?.name ?? body.response_format?.json_schema?.name ?? 'none'}`;
      });
      expect(new Set(formats)).toEqual(new Set(['manager:plan', 'builder:none', 'reviewer:review']));
      const paths = server.requests.map((q) => q.path);
      expect(new Set(paths)).toEqual(
        new Set([api === 'responses' ? '/v1/responses' : '/v1/chat/completions']),
      );
    });
  }

  it('sends an invalid plan back with its errors, and fails after the repairs run out', async () => {
    server = await startModelServer({
      scenario: {
        scripts: [
          {
            when: '# Role: manager',
            steps: [{ json: { summary: 'no steps' } }, { repeat: true, message: 'not json' }],
          },
        ],
      },
    });
    const dir = repo({ repair_attempts: 2 }, server.url);
    const r = await cxoAsync(dir, ['run', 't', '--role', 'builder=none', '--role', 'reviewer=none']);
    expect(r.code).toBe(1);
    const { manifest, runDir } = lastManifest(dir);
    expect(manifest.steps[0]).toMatchObject({
      status: 'failed',
      error: expect.objectContaining({ code: 'InvalidPlan' }),
    });
    const repairs = transcript(dir, runDir, 'manager').filter((e) => e.type === 'repair');
    expect(repairs.map((e) => e.attempt)).toEqual([1, 2]);
    expect(String(repairs[0].errors)).toContain("must have required property 'steps'");
    // the repair request carried the validation errors to the model
    const last = JSON.stringify(server.requests.at(-1)?.body);
    expect(last).toContain('That is not a valid plan');
  });

  it('stops a model that never finishes at max_turns', async () => {
    server = await startModelServer({
      scenario: { scripts: [{ when: '# Role: builder', steps: [{ repeat: true, shell: 'echo again' }] }] },
    });
    const dir = repo({ max_turns: 3 }, server.url);
    const r = await cxoAsync(dir, ['run', 't', '--role', 'manager=none', '--role', 'reviewer=none']);
    expect(r.code).toBe(1);
    expect(lastManifest(dir).manifest.steps[1]).toMatchObject({
      status: 'failed',
      error: expect.objectContaining({ code: 'MaxTurns' }),
    });
    expect(server.requests).toHaveLength(3);
  });

  it('refuses a write outside the worktree, and tells the model why', async () => {
    server = await startModelServer({
      scenario: {
        scripts: [
          {
            when: '# Role: builder',
            steps: [{ write: { path: '../escaped.txt', content: 'x' } }, { finish: 'tried' }],
          },
        ],
      },
    });
    const dir = repo({}, server.url);
    const r = await cxoAsync(dir, ['run', 't', '--role', 'manager=none', '--role', 'reviewer=none']);
    expect(r.code, r.stderr).toBe(0);
    const { runDir, manifest } = lastManifest(dir);
    const result = transcript(dir, runDir, 'builder').find((e) => e.type === 'tool_result');
    expect(result).toMatchObject({
      ok: false,
      output: expect.stringContaining('is outside the working directory'),
    });
    // where the write would have landed: next to the run's worktree
    expect(existsSync(join(dirname(worktreeDirOf(dir, manifest.run.id)), 'escaped.txt'))).toBe(false);
    expect(manifest.diff?.files).toEqual([]);
  });

  it('switches to the fallback model after a 5xx, and fails without one', async () => {
    const scenario: Scenario = {
      scripts: [{ when: '# Role: builder', steps: [{ error: { status: 503 } }, { finish: 'done' }] }],
    };
    server = await startModelServer({ scenario });
    const withFallback = repo({ max_retries: 0, fallback_model: 'backup-1' }, server.url);
    const ok = await cxoAsync(withFallback, [
      'run',
      't',
      '--role',
      'manager=none',
      '--role',
      'reviewer=none',
    ]);
    const { manifest, runDir } = lastManifest(withFallback);
    expect(ok.code, JSON.stringify(manifest.steps[1])).toBe(0);
    expect(transcript(withFallback, runDir, 'builder')).toContainEqual(
      expect.objectContaining({ type: 'fallback', from: 'scripted-1', to: 'backup-1' }),
    );
    await server.close();
    server = await startModelServer({ scenario });
    const without = repo({ max_retries: 0 }, server.url);
    const failed = await cxoAsync(without, ['run', 't', '--role', 'manager=none', '--role', 'reviewer=none']);
    expect(failed.code).toBe(1);
    expect(lastManifest(without).manifest.steps[1].error).toMatchObject({
      code: 'ModelError',
      message: expect.stringContaining('503'),
    });
  });

  it('stops cleanly when the token budget is spent', async () => {
    server = await startModelServer({
      scenario: {
        usage: { input_tokens: 600, output_tokens: 100 },
        scripts: [{ when: '# Role: builder', steps: [{ repeat: true, shell: 'true' }] }],
      },
    });
    const dir = repo({ max_tokens: 1000 }, server.url);
    expect(
      (await cxoAsync(dir, ['run', 't', '--role', 'manager=none', '--role', 'reviewer=none'])).code,
    ).toBe(1);
    expect(lastManifest(dir).manifest.steps[1]).toMatchObject({
      status: 'failed',
      usage: expect.objectContaining({ input_tokens: 1200, turns: 2 }),
      error: expect.objectContaining({ code: 'BudgetExceeded' }),
    });
  });

  it('a builder whose every command failed does not succeed, whatever it concludes', async () => {
    server = await startModelServer({
      scenario: {
        scripts: [
          {
            when: '# Role: builder',
            steps: [{ shell: 'exit 3' }, { shell: 'false' }, { finish: 'all done' }],
          },
        ],
      },
    });
    const dir = repo({}, server.url);
    const r = await cxoAsync(dir, ['run', 't', '--role', 'manager=none', '--role', 'reviewer=none']);
    expect(r.code, r.stderr).toBe(1);
    expect(lastManifest(dir).manifest.steps[1]).toMatchObject({
      status: 'failed',
      error: expect.objectContaining({
        code: 'CommandsFailed',
        message: 'every command the agent ran failed (2); the last: false',
      }),
    });
  });

  it('kills a hanging command at the command timeout and lets the model carry on', async () => {
    server = await startModelServer({
      scenario: {
        scripts: [
          { when: '# Role: builder', steps: [{ shell: 'sleep 30' }, { finish: 'gave up on sleeping' }] },
        ],
      },
    });
    const dir = repo({ commands: { timeout_seconds: 1 } }, server.url);
    const started = Date.now();
    const r = await cxoAsync(dir, ['run', 't', '--role', 'manager=none', '--role', 'reviewer=none']);
    expect(r.code, r.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(20_000);
    const { runDir } = lastManifest(dir);
    expect(transcript(dir, runDir, 'builder')).toContainEqual(
      expect.objectContaining({ type: 'command_finished', command: 'sleep 30', timedOut: true }),
    );
  });

  it('edit_file replaces text that occurs exactly once, and refuses otherwise', async () => {
    server = await startModelServer({
      scenario: {
        scripts: [
          {
            when: '# Role: builder',
            steps: [
              { write: { path: 'notes.txt', content: 'a b a\n' } },
              { edit: { path: 'notes.txt', old: 'a', new: 'x' } },
              { edit: { path: 'notes.txt', old: 'b', new: 'y' } },
              { finish: 'edited' },
            ],
          },
        ],
      },
    });
    const dir = repo({}, server.url);
    expect(
      (await cxoAsync(dir, ['run', 't', '--role', 'manager=none', '--role', 'reviewer=none'])).code,
    ).toBe(0);
    const { runDir, manifest } = lastManifest(dir);
    const results = transcript(dir, runDir, 'builder').filter((e) => e.type === 'tool_result');
    expect(results.map((e) => [e.name, e.ok])).toEqual([
      ['write_file', true],
      ['edit_file', false],
      ['edit_file', true],
      ['finish', true],
    ]);
    expect(String(results[1].output)).toContain('occurs 2 times in notes.txt; it must occur exactly once');
    expect(gitIn(dir, 'show', `${manifest.run.branch}:notes.txt`)).toBe('a y a\n');
  });

  it('refuses a command the deny policy names', async () => {
    server = await startModelServer({
      scenario: {
        scripts: [{ when: '# Role: builder', steps: [{ shell: 'git commit -m sneaky' }, { finish: 'ok' }] }],
      },
    });
    const dir = repo({}, server.url);
    expect(
      (await cxoAsync(dir, ['run', 't', '--role', 'manager=none', '--role', 'reviewer=none'])).code,
    ).toBe(0);
    const { runDir } = lastManifest(dir);
    expect(transcript(dir, runDir, 'builder').find((e) => e.type === 'tool_result')).toMatchObject({
      ok: false,
      output: expect.stringContaining('refused: the command matches the deny rule'),
    });
  });

  it('redacts a secret the agent echoes, everywhere the run writes', async () => {
    const secret = 'sk-live-0123456789abcdefSECRET';
    server = await startModelServer({
      scenario: {
        scripts: [
          {
            when: '# Role: builder',
            steps: [{ shell: `echo ${secret}` }, { finish: `printed ${secret}` }],
          },
        ],
      },
    });
    const dir = repo({}, server.url);
    const r = await cxoAsync(dir, ['run', 't', '--role', 'manager=none', '--role', 'reviewer=none'], {
      DEPLOY_TOKEN: secret,
    });
    expect(r.stdout + r.stderr).not.toContain(secret);
    const { runDir } = lastManifest(dir);
    const files = readdirSync(join(dir, runDir), { recursive: true, withFileTypes: true }).filter((f) =>
      f.isFile(),
    );
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      const text = readFileSync(join(f.parentPath, f.name), 'utf8');
      expect(text, join(f.parentPath, f.name)).not.toContain(secret);
    }
    expect(read(dir, `${runDir}/transcripts/builder.ndjson`)).toContain('[REDACTED');
    // nor in anything committed: the evidence, the status, the run branch
    expect(gitIn(dir, 'log', '-p', '--all')).not.toContain(secret);
  });

  it('fails with a clear error when the model server sends a broken answer', async () => {
    server = await startModelServer({
      scenario: { scripts: [{ when: '# Role: builder', steps: [{ malformed: true, repeat: true }] }] },
    });
    const dir = repo({ max_retries: 0 }, server.url);
    expect(
      (await cxoAsync(dir, ['run', 't', '--role', 'manager=none', '--role', 'reviewer=none'])).code,
    ).toBe(1);
    expect(lastManifest(dir).manifest.steps[1]).toMatchObject({
      status: 'failed',
      error: expect.objectContaining({
        code: 'ModelError',
        message: expect.stringContaining('builtin adapter:'),
      }),
    });
  });

  it('says which variable is missing for the OpenAI endpoint, before starting', async () => {
    const dir = makeRepo(
      {
        'codex.config.yaml': 'guard:\n  require_spec: false\n',
        'codex.tasks.json': indexJson([{ id: 't', title: 'Greet' }]),
      },
      { git: true },
    );
    const r = await cxoAsync(dir, ['run', 't'], { OPENAI_API_KEY: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'the builtin adapter needs an API key for https://api.openai.com/v1: OPENAI_API_KEY is not set',
    );
    expect(existsSync(join(dir, '.runs'))).toBe(false);
  });
});
