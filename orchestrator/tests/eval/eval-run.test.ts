import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EvalReport } from '../../src/eval/report.js';
import type { ScenarioResult } from '../../src/eval/result-types.js';
import { isAlive } from '../../src/runs/run-index.js';
import { cxoAsync } from '../helpers/run-repo.js';
import { cxo, makeRepo, PROJECT_ROOT } from '../helpers/temp-repo.js';

/** A project with an evaluation/ directory: the slug-lib fixture, its model, and these scenarios. */
function evalProject(scenarios: Record<string, string>): string {
  const dir = makeRepo(
    Object.fromEntries(
      Object.entries(scenarios).map(([id, text]) => [`evaluation/scenarios/${id}.yaml`, text]),
    ),
    { git: true },
  );
  for (const sub of ['fixtures/slug-lib', 'fixtures/buffer-app', 'models/fixture-slugify.yaml'])
    cpSync(join(PROJECT_ROOT, 'evaluation', sub), join(dir, 'evaluation', sub), { recursive: true });
  return dir;
}

/** The slug-lib scenario with `id`, and `pipeline`/extra top-level YAML replaced where given. */
function slugScenario(id: string, opts: { pipeline?: string; top?: string; tests?: string } = {}): string {
  return [
    `id: ${id}`,
    'source: { fixture: fixtures/slug-lib }',
    opts.top ?? '',
    'goals:',
    '  test: { run: node --test test/ }',
    'tests:',
    '  command: node --test --test-reporter=tap test/',
    '  format: tap',
    opts.tests ??
      '  fail_to_pass: ["slugify > collapses runs of separators"]\n  pass_to_pass: ["slugify > lowercases"]',
    'pipeline:',
    opts.pipeline ??
      '  task: { title: Collapse runs, acceptance: [node --test test/] }\n  model: models/fixture-slugify.yaml',
    'assert:',
    '  files_changed: [src/**]',
    '  tests_pass: true',
    '',
  ].join('\n');
}

function evalDirs(project: string): string[] {
  const base = join(project, '.runs/eval');
  return existsSync(base) ? readdirSync(base).sort() : [];
}

function readResult(project: string, id: string): ScenarioResult {
  const [evalId] = evalDirs(project);
  return JSON.parse(
    readFileSync(join(project, '.runs/eval', evalId, id, 'result.json'), 'utf8'),
  ) as ScenarioResult;
}

describe('cxo eval run', () => {
  let project: string;
  let run: { code: number; stdout: string; stderr: string };
  const pidFile = join(mkdtempSync(join(tmpdir(), 'cxo-pid-')), 'setup.pid');

  beforeAll(async () => {
    project = evalProject({
      'agent-fix': slugScenario('agent-fix'),
      noop: slugScenario('noop', {
        pipeline:
          '  task: { title: Collapse runs }\n  roles: { manager: none, builder: "command:true", reviewer: none }',
      }),
      'already-passing': slugScenario('already-passing', {
        tests: '  fail_to_pass: ["slugify > lowercases"]',
      }),
      'setup-timeout': slugScenario('setup-timeout', {
        top: `setup:\n  - run: echo $$ > ${pidFile}; exec sleep 30\n    timeout_seconds: 1`,
      }),
      'pipeline-fails': slugScenario('pipeline-fails', {
        pipeline:
          '  task: { title: Collapse runs }\n  roles: { manager: none, builder: "command:exit 3", reviewer: none }',
      }),
      'fetch-fails': [
        'id: fetch-fails',
        'source: { npm: minimist@0.0.999 }',
        'pipeline:',
        '  task: { title: T }',
        '  roles: { builder: "command:true" }',
        'assert: { files_changed: ["**"] }',
        '',
      ].join('\n'),
    });
    const cache = mkdtempSync(join(tmpdir(), 'cxo-eval-cache-'));
    run = await cxoAsync(project, ['eval', 'run', '--concurrency', '3', '--report', 'out'], {
      CXO_EVAL_PACKAGES_DIR: cache,
    });
  }, 120_000);

  it('ends 1 when a scenario could not be evaluated, after running all of them', () => {
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/6 scenarios, 1 full, 0 partial, 2 none, 3 error/);
  });

  it('keeps results under .runs/eval/<eval-id>/ without a manifest.json a run listing would pick up', () => {
    const ids = evalDirs(project);
    expect(ids).toHaveLength(1);
    expect(ids[0]).toMatch(/^eval-\d{8}T\d{6}Z-[0-9a-z]{6}$/);
    const dir = join(project, '.runs/eval', ids[0]);
    expect(readdirSync(dir).sort()).toEqual([
      'agent-fix',
      'already-passing',
      'fetch-fails',
      'noop',
      'pipeline-fails',
      'report.json',
      'report.md',
      'setup-timeout',
    ]);
    expect(cxo(project, ['runs', 'list', '--json']).stdout).toContain('"runs": []');
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as EvalReport;
    expect(readFileSync(join(project, 'out/report.md'), 'utf8')).toBe(
      readFileSync(join(dir, 'report.md'), 'utf8'),
    );
    expect(report.summary).toMatchObject({ scenarios: 6, full: 1, none: 2, error: 3 });
    // nothing points into the temporary repositories, which are gone
    expect(JSON.stringify(report)).not.toMatch(/\/cxo-eval-/);
  });

  it('an agent fixes the fixture through the whole pipeline with the scripted model: full', () => {
    const r = readResult(project, 'agent-fix');
    expect(r).toMatchObject({ resolved: 'full', kind: 'agent', provider: 'scripted' });
    expect(r.tests.fail_to_pass).toEqual([
      { name: 'slugify > collapses runs of separators', before: 'fail', after: 'pass' },
    ]);
    expect(r.pipeline).toMatchObject({ status: 'review', changedFiles: ['src/slugify.js'] });
    expect(r.pipeline?.adapters).toMatchObject({
      manager: 'builtin',
      builder: 'builtin',
      reviewer: 'builtin',
    });
    expect(r.usage.total_tokens).toBeGreaterThan(0);
    expect(r.logs).toEqual(expect.arrayContaining(['logs/baseline-tests.stdout.log', 'run-manifest.json']));
  });

  it('a no-op pipeline grades none', () => {
    const r = readResult(project, 'noop');
    expect(r).toMatchObject({
      resolved: 'none',
      reason: expect.stringContaining('the pipeline changed no file'),
    });
    expect(r.tests.fail_to_pass[0]).toMatchObject({ before: 'fail', after: 'fail' });
  });

  it('a FAIL_TO_PASS test that passes at baseline makes the scenario invalid, before any pipeline', () => {
    const r = readResult(project, 'already-passing');
    expect(r.error).toEqual({
      stage: 'baseline',
      message:
        'FAIL_TO_PASS test "slugify > lowercases" already passes before the pipeline: grading would pass a no-op',
    });
    expect(r.pipeline).toBeNull();
  });

  it('a setup command that times out is killed with its process group and reported', () => {
    const r = readResult(project, 'setup-timeout');
    expect(r.error).toEqual({
      stage: 'setup',
      message: `setup command "echo $$ > ${pidFile}; exec sleep 30" timed out after 1 s`,
    });
    expect(r.durationMs).toBeLessThan(15_000);
    expect(isAlive(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
  });

  it('a failing pipeline is reported in the grade, not as a crash', () => {
    const r = readResult(project, 'pipeline-fails');
    expect(r.resolved).toBe('none');
    expect(r.reason).toMatch(/the run failed \(\w+: .*exit/);
    expect(r.pipeline?.manifest).toMatch(/^\.runs\/pipeline-fails\/\S+\/manifest\.json$/);
  });

  it('a package that cannot be fetched is an error naming the scenario file and the package', () => {
    const r = readResult(project, 'fetch-fails');
    expect(r.error?.stage).toBe('source');
    expect(r.error?.message).toMatch(
      /^evaluation\/scenarios\/fetch-fails\.yaml: npm pack minimist@0\.0\.999 failed: .*(No matching version|ETARGET|notarget)/,
    );
  });

  it('cxo eval report renders the stored evaluation; --compare flags regressions and ends 1', () => {
    const latest = cxo(project, ['eval', 'report']);
    expect(latest.stdout).toContain('**6 scenarios: 1 full, 0 partial, 2 none, 3 error**');
    expect(latest.stdout).toContain(
      '| slugify > collapses runs of separators | FAIL_TO_PASS | fail | pass |',
    );
    const [evalId] = evalDirs(project);
    const stored = JSON.parse(
      readFileSync(join(project, '.runs/eval', evalId, 'report.json'), 'utf8'),
    ) as EvalReport;
    // an earlier evaluation in which the no-op scenario was solved
    const earlier = {
      ...stored,
      id: 'eval-20260101T000000Z-aaaaaa',
      scenarios: stored.scenarios.map((s) => (s.scenario === 'noop' ? { ...s, resolved: 'full' } : s)),
    };
    writeFileSync(join(project, 'earlier.json'), JSON.stringify(earlier));
    const compared = cxo(project, [
      'eval',
      'report',
      evalId.slice(0, 12),
      '--compare',
      'earlier.json',
      '--json',
    ]);
    expect(compared.code).toBe(1);
    const report = JSON.parse(compared.stdout) as EvalReport;
    expect(report.comparison?.regressions).toEqual([
      { scenario: 'noop', what: 'resolved', before: 'full', after: 'none' },
    ]);
    const text = cxo(project, ['eval', 'report', '--compare', 'earlier.json']).stdout;
    expect(text.indexOf('**1 regression(s)**')).toBeLessThan(text.indexOf('## Scenarios'));
  });
});

describe('scenario files', () => {
  it('schema and rule errors are reported at file:line:col with the line quoted; nothing runs', () => {
    const project = evalProject({
      bad: [
        'id: bad',
        'source: { npm: minimist }',
        'tests:',
        '  command: tape test/*.js',
        '  format: junit',
        'pipeline:',
        '  task: { title: T }',
        '  model: models/fixture-slugify.yaml',
        'assertions: {}',
        '',
      ].join('\n'),
      misnamed: slugScenario('other-name'),
      noop: slugScenario('noop', { tests: '  pass_to_pass: ["slugify > lowercases"]' }).replace(
        'assert:\n  files_changed: [src/**]\n',
        'assert:\n',
      ),
    });
    const r = cxo(project, ['eval', 'run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'evaluation/scenarios/bad.yaml:2:16: error[schema]: "source.npm" "minimist" must match',
    );
    expect(r.stderr).toContain(
      [
        'evaluation/scenarios/bad.yaml:5:11: error[schema]: "tests.format" must be one of "tap", "tape"; found "junit"',
        '  5 |   format: junit',
        '    |           ^',
      ].join('\n'),
    );
    expect(r.stderr).toContain(
      'evaluation/scenarios/bad.yaml:9:1: warning[unknown-field]: unknown field "assertions"',
    );
    expect(r.stderr).toContain(
      'evaluation/scenarios/misnamed.yaml:1:5: error[eval-scenario]: the id "other-name" must match the file name "misnamed"',
    );
    expect(r.stderr).toMatch(
      /evaluation\/scenarios\/noop\.yaml:1:1: error\[eval-scenario\]: nothing in this scenario fails for a no-op pipeline/,
    );
    expect(evalDirs(project)).toEqual([]);
  });

  it('an unknown --scenario is a usage error', () => {
    const project = evalProject({ 'agent-fix': slugScenario('agent-fix') });
    const r = cxo(project, ['eval', 'run', '--scenario', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no scenario "nope" in evaluation/scenarios/');
  });
});

describe('pattern scenarios', () => {
  it('a pattern that applies is full; one that changes nothing is reported as none, not a crash', async () => {
    const scenario = (id: string, fixture: string) =>
      [
        `id: ${id}`,
        `source: { fixture: ${fixture} }`,
        'pipeline:',
        '  task: { title: Replace new Buffer }',
        '  pattern: buffer-constructor',
        'assert: { pattern_applied: buffer-constructor, files_changed: [src/**] }',
        '',
      ].join('\n');
    const project = evalProject({
      applies: scenario('applies', 'fixtures/buffer-app'),
      'does-not-apply': scenario('does-not-apply', 'fixtures/slug-lib'),
    });
    const r = await cxoAsync(project, ['eval', 'run']);
    expect(r.code, r.stderr).toBe(0);
    expect(readResult(project, 'applies').resolved).toBe('full');
    const none = readResult(project, 'does-not-apply');
    expect(none).toMatchObject({ resolved: 'none', pipeline: { errorCode: 'PatternNotApplied' } });
    expect(none.assertions.find((a) => a.name === 'pattern_applied')?.holds).toBe(false);
  }, 60_000);
});
