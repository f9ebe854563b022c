import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  gitIn,
  indexJson,
  makeRepo,
  PROJECT_ROOT,
  read,
  specText,
  writeFiles,
} from '../helpers/temp-repo.js';

const COMMITTED = join(PROJECT_ROOT, 'action/dist/index.mjs');
const NOW = '2026-11-21';
/** Reviewed 324 days before NOW: stale under the default 30-day interval. */
const STALE = '2026-01-01';
/** Reviewed 27 days before NOW: 3 days left, inside the 7-day warning window. */
const EXPIRING = '2026-10-25';
const FRESH = '2026-11-20';

function spec(id: string, lastReview: string, extra: Record<string, unknown> = {}): string {
  return specText({
    id,
    title: `Spec ${id}`,
    status: 'draft',
    owners: ['ada'],
    risk: 'low',
    last_review: lastReview,
    ...extra,
  });
}

/** A committed base with 15 stale and 12 expiring specs and a covered module, then a head commit changing the module alone. */
function repoWithViolations(files: Record<string, string> = {}): { dir: string; base: string } {
  const initial: Record<string, string> = {
    'codex.tasks.json': indexJson([]),
    'specs/0100-app.md': spec('app', FRESH, { covers: ['src/app/**'] }),
    'src/app/a.ts': 'export const a = 1;\n',
    ...files,
  };
  for (let i = 1; i <= 15; i++)
    initial[`specs/${String(i).padStart(4, '0')}-stale.md`] = spec(`stale-${i}`, STALE);
  for (let i = 1; i <= 12; i++)
    initial[`specs/${String(20 + i).padStart(4, '0')}-expiring.md`] = spec(`expiring-${i}`, EXPIRING);
  const dir = makeRepo(initial, { git: true });
  const base = gitIn(dir, 'rev-parse', 'HEAD').trim();
  writeFiles(dir, { 'src/app/a.ts': 'export const a = 2;\n' });
  gitIn(dir, 'commit', '-qam', 'change the app without its spec');
  return { dir, base };
}

function cleanRepo(): { dir: string; base: string } {
  const dir = makeRepo(
    {
      'codex.tasks.json': indexJson([]),
      'specs/0100-app.md': spec('app', FRESH, { covers: ['src/app/**'] }),
      'src/app/a.ts': 'a\n',
    },
    { git: true },
  );
  const base = gitIn(dir, 'rev-parse', 'HEAD').trim();
  writeFiles(dir, {
    'src/app/a.ts': 'b\n',
    'specs/0100-app.md': spec('app', FRESH, { covers: ['src/app/**'], relates_to: [] }),
  });
  gitIn(dir, 'commit', '-qam', 'change the app with its spec');
  return { dir, base };
}

function pullRequest(base: string, labels: string[] = []) {
  return {
    name: 'pull_request',
    payload: {
      action: 'synchronize',
      number: 7,
      pull_request: { number: 7, base: { ref: 'main', sha: base }, labels: labels.map((name) => ({ name })) },
    },
  };
}

interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  summary: string;
  outputs: Record<string, string>;
  runnerTemp: string;
}

let bundle: string;

beforeAll(() => {
  // GitHub runs the committed file from a checkout without node_modules: so do we
  const dir = mkdtempSync(join(tmpdir(), 'cxo-action-'));
  bundle = join(dir, 'index.mjs');
  copyFileSync(COMMITTED, bundle);
});

/**
 * Runs the action as the runner does: inputs as INPUT_<NAME> (upper-cased, dashes kept, every
 * declared input present, empty when not given), step summary and output files that exist,
 * the event payload at GITHUB_EVENT_PATH, and nothing of the test process's own GITHUB_* env.
 */
function runAction(
  cwd: string,
  inputs: Record<string, string> = {},
  event?: { name: string; payload: unknown },
): ActionRun {
  const runnerTemp = mkdtempSync(join(tmpdir(), 'cxo-runner-'));
  const summaryFile = join(runnerTemp, 'step_summary');
  const outputFile = join(runnerTemp, 'output');
  writeFileSync(summaryFile, '');
  writeFileSync(outputFile, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME ?? runnerTemp,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_ACTOR: 'octocat',
    GITHUB_WORKSPACE: cwd,
    RUNNER_TEMP: runnerTemp,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_OUTPUT: outputFile,
  };
  const all = { base: '', head: '', now: NOW, override: '', 'working-directory': '.', ...inputs };
  for (const [name, value] of Object.entries(all)) env[`INPUT_${name.toUpperCase()}`] = value;
  if (event) {
    env.GITHUB_EVENT_NAME = event.name;
    env.GITHUB_EVENT_PATH = join(runnerTemp, 'event.json');
    writeFileSync(env.GITHUB_EVENT_PATH, JSON.stringify(event.payload));
  }
  const r = spawnSync(process.execPath, [bundle], { cwd, env, encoding: 'utf8' });
  return {
    code: r.status ?? -1,
    stdout: r.stdout,
    stderr: r.stderr,
    summary: readFileSync(summaryFile, 'utf8'),
    outputs: parseOutputs(readFileSync(outputFile, 'utf8')),
    runnerTemp,
  };
}

/** GITHUB_OUTPUT's `name<<DELIMITER` … `DELIMITER` records. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const m of text.matchAll(/^([^\n<]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) outputs[m[1]] = m[3];
  return outputs;
}

/** Workflow-command annotations: `::error title=RULE,file=F,line=L,col=C::message`. */
function annotations(stdout: string, kind: 'error' | 'warning'): Record<string, string>[] {
  return [...stdout.matchAll(new RegExp(`^::${kind} ([^:]+)::(.*)$`, 'gm'))].map((m) => ({
    ...Object.fromEntries(m[1].split(',').map((p) => p.split('=') as [string, string])),
    message: m[2],
  }));
}

describe('the spec-guard action', () => {
  it('the committed bundle is what `npm run build:action` builds from the current sources', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'cxo-build-')), 'index.mjs');
    const r = spawnSync(process.execPath, [join(PROJECT_ROOT, 'scripts/build-action.mjs'), out], {
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const fresh = readFileSync(out, 'utf8');
    const committed = readFileSync(COMMITTED, 'utf8');
    if (fresh !== committed)
      expect.fail('action/dist/index.mjs is stale: run npm run build:action and commit it');
  });

  it('fails on violations: 10 annotations of each kind, every violation in the summary, outputs and the report', () => {
    const { dir, base } = repoWithViolations();
    const r = runAction(dir, {}, pullRequest(base));
    expect(r.code).toBe(1);

    const errors = annotations(r.stdout, 'error');
    const warnings = annotations(r.stdout, 'warning');
    expect(errors).toHaveLength(10);
    expect(warnings).toHaveLength(10);
    expect(errors.map((a) => a.file)).toEqual(
      Array.from({ length: 10 }, (_, i) => `specs/${String(i + 1).padStart(4, '0')}-stale.md`),
    );
    const stale = errors.find((a) => a.file === 'specs/0001-stale.md');
    expect(stale).toEqual({
      title: 'freshness',
      file: 'specs/0001-stale.md',
      line: '7',
      col: '14',
      message: expect.stringMatching(
        /^spec "stale-1" is stale: last reviewed 2026-01-01, 324 days before 2026-11-21/,
      ),
    });
    expect(warnings.every((a) => a.title === 'freshness' && /goes stale after/.test(a.message))).toBe(true);
    expect(r.stdout).toMatch(/^::error::spec guard failed: 16 error\(s\)$/m);

    // the summary table holds all 28, annotated or not
    const rows = [...r.summary.matchAll(/<tr><td>(error|warning)<\/td><td>([^<]+)<\/td><td>([^<]+)<\/td>/g)];
    expect(rows).toHaveLength(28);
    expect(rows.filter((m) => m[1] === 'error')).toHaveLength(16);
    for (let i = 1; i <= 15; i++)
      expect(r.summary).toContain(`specs/${String(i).padStart(4, '0')}-stale.md:7:14`);
    expect(r.summary).toContain('<td>error</td><td>diff-coverage</td><td>src/app/a.ts</td>');
    expect(r.summary).toMatch(/Spec guard failed/);
    expect(r.summary).toMatch(/8 violation\(s\) are in this table only/);

    expect(r.outputs.violations).toBe('28');
    expect(r.outputs.errors).toBe('16');
    expect(dirname(r.outputs.report)).toBe(r.runnerTemp);
    const report = JSON.parse(readFileSync(r.outputs.report, 'utf8'));
    expect(report).toMatchObject({
      version: 1,
      passed: false,
      now: NOW,
      range: { base, changedFiles: 1 },
      counts: { errors: 16, warnings: 12, specs: 28, tasks: 0 },
    });
    expect(report.violations).toHaveLength(28);
    expect(existsSync(join(dir, '.runs/guard/overrides.jsonl'))).toBe(false);
  });

  it('passes on a clean repository, run from another directory through working-directory', () => {
    const { dir, base } = cleanRepo();
    const r = runAction(dirname(dir), { 'working-directory': basename(dir) }, pullRequest(base));
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).not.toMatch(/^::(error|warning)/m);
    expect(r.summary).toMatch(/Spec guard passed/);
    expect(r.outputs).toMatchObject({ violations: '0', errors: '0' });
    expect(JSON.parse(readFileSync(r.outputs.report, 'utf8'))).toMatchObject({
      passed: true,
      range: { base, changedFiles: 2 },
    });
  });

  it('takes the base from the pull request event when the base input is empty, and the input over the event', () => {
    const { dir, base } = repoWithViolations();
    const fromEvent = runAction(dir, {}, pullRequest(base));
    expect(fromEvent.stdout).toContain(`base ${base}, from the pull_request event`);
    const rules = (run: ActionRun) =>
      JSON.parse(readFileSync(run.outputs.report, 'utf8')).violations.map((v: { rule: string }) => v.rule);
    expect(rules(fromEvent)).toContain('diff-coverage');

    const head = gitIn(dir, 'rev-parse', 'HEAD').trim();
    const fromInput = runAction(dir, { base: head }, pullRequest(base));
    expect(JSON.parse(readFileSync(fromInput.outputs.report, 'utf8')).range).toEqual({
      base: head,
      head,
      changedFiles: 0,
    });
    expect(rules(fromInput)).not.toContain('diff-coverage');

    const noEvent = runAction(dir);
    expect(noEvent.stdout).toContain('no base commit (input or event): diff coverage is not checked');
    expect(JSON.parse(readFileSync(noEvent.outputs.report, 'utf8')).range).toBeUndefined();
    expect(rules(noEvent)).not.toContain('diff-coverage');
  });

  it("takes the base from a push's before commit, unless it is all zeros or not in the clone", () => {
    const { dir, base } = repoWithViolations();
    const push = (before: string) => ({
      name: 'push',
      payload: { ref: 'refs/heads/main', before, after: 'x' },
    });

    const r = runAction(dir, {}, push(base));
    expect(JSON.parse(readFileSync(r.outputs.report, 'utf8')).range).toMatchObject({ base, changedFiles: 1 });

    const newBranch = runAction(dir, {}, push('0'.repeat(40)));
    expect(newBranch.stdout).toContain('no base commit');
    expect(JSON.parse(readFileSync(newBranch.outputs.report, 'utf8')).range).toBeUndefined();

    const forced = runAction(dir, {}, push('f'.repeat(40)));
    expect(forced.stdout).toMatch(
      /^::warning::diff coverage skipped: the push's before commit f{40} is not in this clone$/m,
    );
    expect(forced.code).toBe(1);
    expect(forced.outputs.errors).toBe('15');
  });

  it('a pull request label from guard.override_labels makes it pass and is recorded', () => {
    const { dir, base } = repoWithViolations();
    const r = runAction(dir, {}, pullRequest(base, ['docs', 'spec-guard-override']));
    expect(r.code, r.stdout).toBe(0);
    expect(annotations(r.stdout, 'error')).toEqual([]);
    expect(r.summary).toMatch(/Spec guard passed/);
    expect(r.summary).toMatch(/\*\*Overridden\*\* by octocat \(label\)/);
    expect(r.outputs.errors).toBe('16');
    const report = JSON.parse(readFileSync(r.outputs.report, 'utf8'));
    expect(report).toMatchObject({
      passed: true,
      override: { source: 'label', by: 'octocat', violations: 16 },
    });
    const log = read(dir, '.runs/guard/overrides.jsonl')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({
      source: 'label',
      by: 'octocat',
      reason: 'pull request label "spec-guard-override"',
    });
    expect(log[0].violations).toHaveLength(16);
  });

  it('only the labels the config names override', () => {
    const { dir, base } = repoWithViolations({
      'codex.config.yaml': 'version: 1\nguard:\n  override_labels: [ship-it]\n',
    });
    const defaultLabel = runAction(dir, {}, pullRequest(base, ['spec-guard-override']));
    expect(defaultLabel.code).toBe(1);
    expect(existsSync(join(dir, '.runs/guard/overrides.jsonl'))).toBe(false);
    const configured = runAction(dir, {}, pullRequest(base, ['ship-it']));
    expect(configured.code, configured.stdout).toBe(0);
    expect(read(dir, '.runs/guard/overrides.jsonl')).toMatch(/"reason":"pull request label \\"ship-it\\""/);
  });

  it('the override input passes too, with its reason', () => {
    const { dir } = repoWithViolations();
    const r = runAction(dir, { override: 'hotfix, spec follows in #42' });
    expect(r.code).toBe(0);
    expect(JSON.parse(read(dir, '.runs/guard/overrides.jsonl'))).toMatchObject({
      source: 'flag',
      reason: 'hotfix, spec follows in #42',
    });
  });

  it('an error fails the step with its message and hint', () => {
    const { dir } = cleanRepo();
    const badDate = runAction(dir, { now: '2026-02-30' });
    expect(badDate.code).toBe(1);
    expect(badDate.stdout).toMatch(/^::error::--now "2026-02-30" is not a real date%0Ahint: use YYYY-MM-DD/m);

    const missingBase = runAction(dir, {}, pullRequest('a'.repeat(40)));
    expect(missingBase.code).toBe(1);
    expect(missingBase.stdout).toMatch(/^::error::git ref "a{40}" is not in this clone%0Ahint: /m);

    writeFiles(dir, { 'codex.config.yaml': 'version: 1\nguard:\n  override_labels: 7\n' });
    const badConfig = runAction(dir);
    expect(badConfig.code).toBe(1);
    expect(badConfig.stdout).toMatch(/^::error title=[^,]+,file=codex\.config\.yaml,line=3,col=\d+::/m);
    expect(badConfig.stdout).toMatch(/^::error::codex\.config\.yaml is invalid$/m);
  });
});
