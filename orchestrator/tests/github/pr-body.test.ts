import { describe, expect, it } from 'vitest';
import { MAX_BODY_CHARS, renderPullRequestBody } from '../../src/github/pr-body.js';
import type { CommandRecord, RunManifest, StepRecord } from '../../src/runs/manifest-types.js';

const RUN_ID = '20261121T100000Z-ab12';
const MANIFEST_PATH = `.runs/add-login/${RUN_ID}/manifest.json`;

function step(role: StepRecord['role'], status: StepRecord['status'], summary: string | null): StepRecord {
  return {
    role,
    adapter: 'command:./scripts/fix.sh',
    model: null,
    status,
    startedAt: '2026-11-21T10:00:00Z',
    endedAt: '2026-11-21T10:01:00Z',
    durationMs: 60_000,
    usage: null,
    costUsd: null,
    summary,
    error: null,
    transcript: null,
  };
}

function command(text: string, exitCode: number | null, extra: Partial<CommandRecord> = {}): CommandRecord {
  return {
    role: 'tester',
    command: text,
    cwd: '.',
    exitCode,
    signal: null,
    durationMs: 1200,
    timedOut: false,
    stdout: null,
    stderr: null,
    ...extra,
  };
}

function manifest(overrides: Partial<RunManifest> = {}): RunManifest {
  return {
    version: 1,
    orchestrator: { version: '0.1.0', node: 'v20.20.0' },
    run: {
      id: RUN_ID,
      branch: `codex/add-login/${RUN_ID}`,
      createdAt: '2026-11-21T10:00:00Z',
      pid: 4242,
      forced: null,
      worktree: '/tmp/wt',
    },
    task: { id: 'add-login', title: 'Add login' },
    trigger: { request: null, actor: 'ada', baseCommit: 'a'.repeat(40) },
    spec: null,
    steps: [
      step('manager', 'succeeded', 'Planned 3 steps'),
      step('builder', 'succeeded', 'Changed a | b\nsecond line'),
      step('tester', 'failed', null),
    ],
    commands: [
      command('npm test', 0),
      command('grep -c foo | wc -l', 1),
      command('sleep 999', null, { timedOut: true, signal: 'SIGKILL' }),
    ],
    diff: {
      artifact: 'diff.patch',
      files: ['src/login.ts', 'src/login.test.ts'],
      insertions: 42,
      deletions: 7,
      baseCommit: 'a'.repeat(40),
      headCommit: 'b'.repeat(40),
    },
    review: null,
    result: {
      status: 'failed',
      reason: 'acceptance failed',
      error: { code: 'AcceptanceFailed', message: 'grep -c foo | wc -l exited 1' },
    },
    heartbeat: null,
    resumes: [],
    artifacts: [],
    redactions: 0,
    ...overrides,
  };
}

describe('renderPullRequestBody', () => {
  const body = renderPullRequestBody(manifest(), {
    manifestPath: MANIFEST_PATH,
    review: {
      score: 0.75,
      findings: [
        { file: 'src/login.ts', line: 12, severity: 'warning', message: 'use === | not ==' },
        { file: null, line: null, severity: 'info', message: 'consider a test' },
      ],
    },
  });

  it('starts with the hidden run marker', () => {
    expect(body.split('\n')[0]).toBe(`<!-- cxo:run ${RUN_ID} -->`);
  });

  it('summarizes the task, run and result', () => {
    expect(body).toContain('## add-login: Add login');
    expect(body).toContain(`- Run: \`${RUN_ID}\` on branch \`codex/add-login/${RUN_ID}\``);
    expect(body).toContain('- Result: **failed** — acceptance failed');
    expect(body).toContain('- Error: `AcceptanceFailed` grep -c foo | wc -l exited 1');
  });

  it('tabulates the steps with pipes escaped and newlines kept inside the cell', () => {
    expect(body).toContain('| Role | Adapter | Status | Summary |');
    expect(body).toContain('| manager | `command:./scripts/fix.sh` | succeeded | Planned 3 steps |');
    expect(body).toContain(
      '| builder | `command:./scripts/fix.sh` | succeeded | Changed a \\| b<br>second line |',
    );
    expect(body).toContain('| tester | `command:./scripts/fix.sh` | failed | — |');
  });

  it('lists every command with its exit code, and a timeout', () => {
    expect(body).toContain('| tester | `npm test` | exit 0 |');
    expect(body).toContain('| tester | `grep -c foo \\| wc -l` | exit 1 |');
    expect(body).toContain('| tester | `sleep 999` | timed out, signal SIGKILL |');
  });

  it('gives the diff stats and files', () => {
    expect(body).toContain(`2 files changed, +42 -7 (\`${'a'.repeat(12)}..${'b'.repeat(12)}\`)`);
    expect(body).toContain('- `src/login.ts`\n- `src/login.test.ts`');
  });

  it('lists the review findings', () => {
    expect(body).toContain('Score: 0.75, 2 findings');
    expect(body).toContain('| warning | `src/login.ts:12` | use === \\| not == |');
    expect(body).toContain('| info | — | consider a test |');
  });

  it('ends with the manifest path, or its URL when given', () => {
    expect(body.endsWith(`Run manifest: \`${MANIFEST_PATH}\`\n`)).toBe(true);
    const linked = renderPullRequestBody(manifest(), {
      manifestPath: MANIFEST_PATH,
      manifestUrl: `https://github.com/o/r/blob/${RUN_ID}/manifest (1).json`,
    });
    expect(linked).toContain(
      `Run manifest: [${MANIFEST_PATH}](https://github.com/o/r/blob/${RUN_ID}/manifest%20%281%29.json)`,
    );
  });

  it('is deterministic', () => {
    expect(renderPullRequestBody(manifest(), { manifestPath: MANIFEST_PATH })).toBe(
      renderPullRequestBody(manifest(), { manifestPath: MANIFEST_PATH }),
    );
  });

  it('says when there is no diff and no head commit', () => {
    const noDiff = renderPullRequestBody(manifest({ diff: null }), { manifestPath: MANIFEST_PATH });
    expect(noDiff).not.toContain('### Diff');
    const uncommitted = renderPullRequestBody(
      manifest({ diff: { ...manifest().diff!, headCommit: null, files: ['a.ts'] } }),
      { manifestPath: MANIFEST_PATH },
    );
    expect(uncommitted).toContain(`1 file changed, +42 -7 (\`${'a'.repeat(12)}..uncommitted\`)`);
  });

  it('fences a command holding backticks so the code span stays closed', () => {
    const out = renderPullRequestBody(manifest({ commands: [command('echo `date`', 0)] }), {
      manifestPath: MANIFEST_PATH,
    });
    expect(out).toContain('| tester | `` echo `date` `` | exit 0 |');
  });

  it("cuts under GitHub's 65,536-character limit, keeping the marker and the manifest link", () => {
    const many = Array.from({ length: 2000 }, (_, i) =>
      command(`npm run check -- --shard=${i} ${'x'.repeat(40)}`, i % 2),
    );
    const out = renderPullRequestBody(manifest({ commands: many }), { manifestPath: MANIFEST_PATH });
    expect(out.length).toBeLessThanOrEqual(MAX_BODY_CHARS);
    expect(out.length).toBeGreaterThan(MAX_BODY_CHARS - 1_000);
    expect(out.startsWith(`<!-- cxo:run ${RUN_ID} -->\n\n## add-login: Add login\n`)).toBe(true);
    expect(out).toContain("_The rest was cut to stay under GitHub's 65,536-character limit");
    expect(out.endsWith(`Run manifest: \`${MANIFEST_PATH}\`\n`)).toBe(true);
    expect(out).toContain('`npm run check -- --shard=0 ');
    expect(out).not.toContain('--shard=1999 ');
    // The cut falls at a line end: every table row before the note is whole.
    const beforeNote = out.slice(0, out.indexOf('\n\n_The rest was cut'));
    expect(beforeNote.split('\n').at(-1)).toMatch(/^\| tester \| `.*` \| exit [01] \|$/);
  });

  it('bounds a single huge summary so the sections after it survive', () => {
    const out = renderPullRequestBody(
      manifest({ steps: [step('builder', 'succeeded', 'y'.repeat(100_000))] }),
      {
        manifestPath: MANIFEST_PATH,
      },
    );
    expect(out.length).toBeLessThan(MAX_BODY_CHARS);
    expect(out).toContain('### Commands');
    expect(out).not.toContain('The rest was cut');
  });
});
