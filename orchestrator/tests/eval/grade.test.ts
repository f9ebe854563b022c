import { describe, expect, it } from 'vitest';
import { compareReports } from '../../src/eval/compare.js';
import { checkBaseline, grade } from '../../src/eval/grade.js';
import type { EvalReport } from '../../src/eval/report.js';
import type { ScenarioResult } from '../../src/eval/result-types.js';
import type { EvalScenario } from '../../src/eval/scenario-types.js';
import type { TestStatus } from '../../src/eval/test-results.js';

const SCENARIO: EvalScenario = {
  id: 's',
  source: { fixture: 'fixtures/x' },
  goals: { test: { run: 'npm test' } },
  tests: { command: 'x', format: 'tap', fail_to_pass: ['f1', 'f2'], pass_to_pass: ['p1'] },
  pipeline: { task: { title: 'T' }, model: 'models/m.yaml' },
  assert: { files_changed: ['src/**'], tests_pass: true },
};
const results = (o: Record<string, TestStatus>) => new Map(Object.entries(o));
const BEFORE = results({ f1: 'fail', p1: 'pass' });
const facts = (changedFiles: string[], test = 0) => ({ changedFiles, builder: null, goalsAfter: { test } });

describe('baseline', () => {
  it('accepts failing or missing FAIL_TO_PASS tests and passing PASS_TO_PASS tests', () => {
    expect(checkBaseline(SCENARIO, BEFORE)).toBeUndefined();
  });
  it('rejects a FAIL_TO_PASS test that already passes: a no-op would be graded a fix', () => {
    expect(checkBaseline(SCENARIO, results({ f1: 'pass', p1: 'pass' }))).toBe(
      'FAIL_TO_PASS test "f1" already passes before the pipeline: grading would pass a no-op',
    );
  });
  it('rejects a PASS_TO_PASS test that does not pass', () => {
    expect(checkBaseline(SCENARIO, results({ p1: 'fail' }))).toMatch(
      /PASS_TO_PASS test "p1" does not pass .*\(fail\)/,
    );
  });
});

describe('grade', () => {
  it('full: every test and assertion holds', () => {
    const g = grade(SCENARIO, BEFORE, results({ f1: 'pass', f2: 'pass', p1: 'pass' }), facts(['src/a.js']));
    expect(g.resolved).toBe('full');
    expect(g.tests.fail_to_pass).toEqual([
      { name: 'f1', before: 'fail', after: 'pass' },
      { name: 'f2', before: 'missing', after: 'pass' },
    ]);
  });
  it('a pipeline that changed nothing is none, even when the tests would pass (flaky or wrong tests)', () => {
    const g = grade(SCENARIO, BEFORE, results({ f1: 'pass', f2: 'pass', p1: 'pass' }), facts([]));
    expect(g).toMatchObject({ resolved: 'none', reason: 'the pipeline changed no file' });
  });
  it('partial: some FAIL_TO_PASS pass and no PASS_TO_PASS broke', () => {
    const g = grade(SCENARIO, BEFORE, results({ f1: 'pass', f2: 'fail', p1: 'pass' }), facts(['src/a.js']));
    expect(g).toMatchObject({ resolved: 'partial', reason: '1 of 2 FAIL_TO_PASS still fail' });
  });
  it('none: a PASS_TO_PASS test broke, whatever was fixed', () => {
    const g = grade(SCENARIO, BEFORE, results({ f1: 'pass', f2: 'pass', p1: 'fail' }), facts(['src/a.js']));
    expect(g.resolved).toBe('none');
    expect(g.reason).toContain('PASS_TO_PASS broke: "p1"');
  });
  it('an assertion that fails keeps it from full: a file outside files_changed, a failing goal', () => {
    const g = grade(
      SCENARIO,
      BEFORE,
      results({ f1: 'pass', f2: 'pass', p1: 'pass' }),
      facts(['src/a.js', 'README.md'], 1),
    );
    expect(g.resolved).toBe('partial');
    expect(g.assertions).toEqual([
      { name: 'files_changed', holds: false, detail: 'changed outside src/**: README.md' },
      { name: 'tests_pass', holds: false, detail: 'exit 1' },
    ]);
  });
  it('pattern_applied holds only when the builder was that pattern and succeeded', () => {
    const s: EvalScenario = {
      ...SCENARIO,
      tests: undefined,
      assert: { pattern_applied: 'buffer-constructor' },
    };
    const applied = grade(s, new Map(), null, {
      changedFiles: ['a.js'],
      builder: { adapter: 'pattern:buffer-constructor', status: 'succeeded' },
      goalsAfter: {},
    });
    expect(applied.resolved).toBe('full');
    const notApplied = grade(s, new Map(), null, {
      changedFiles: [],
      builder: { adapter: 'pattern:buffer-constructor', status: 'failed' },
      goalsAfter: {},
    });
    expect(notApplied.resolved).toBe('none');
    expect(notApplied.assertions[0]).toMatchObject({
      holds: false,
      detail: 'builder pattern:buffer-constructor failed',
    });
  });
});

function result(id: string, over: Partial<ScenarioResult>): ScenarioResult {
  return {
    scenario: id,
    file: `evaluation/scenarios/${id}.yaml`,
    title: null,
    kind: 'agent',
    source: 'fixture:x',
    provider: 'scripted',
    resolved: 'full',
    reason: '',
    error: null,
    startedAt: '2026-11-21T00:00:00.000Z',
    durationMs: 1000,
    stages: {},
    goals: {},
    tests: { fail_to_pass: [{ name: 'f', before: 'fail', after: 'pass' }], pass_to_pass: [] },
    assertions: [{ name: 'tests_pass', holds: true, detail: 'exit 0' }],
    pipeline: null,
    usage: { input_tokens: 10, output_tokens: 5, total_tokens: 15 },
    costUsd: null,
    logs: [],
    kept: null,
    ...over,
  };
}

function report(id: string, scenarios: ScenarioResult[]): EvalReport {
  return {
    kind: 'cxo-eval-report',
    version: 1,
    id,
    startedAt: '',
    endedAt: '',
    durationMs: 0,
    orchestrator: { version: '0', node: 'v20' },
    provider: 'scripted',
    summary: { scenarios: 0, full: 0, partial: 0, none: 0, error: 0, tokens: 0, costUsd: null },
    scenarios,
    comparison: null,
  };
}

describe('comparison', () => {
  it('flags resolutions that went down, assertions and tests that stopped holding; durations only inform', () => {
    const before = report('eval-old', [
      result('a', {}),
      result('b', { resolved: 'partial' }),
      result('c', {}),
      result('gone', {}),
    ]);
    const now = report('eval-new', [
      result('a', {
        resolved: 'partial',
        durationMs: 5000,
        tests: { fail_to_pass: [{ name: 'f', before: 'fail', after: 'fail' }], pass_to_pass: [] },
        assertions: [{ name: 'tests_pass', holds: false, detail: 'exit 1' }],
      }),
      result('b', { resolved: 'full' }),
      result('c', { resolved: 'error', tests: { fail_to_pass: [], pass_to_pass: [] }, assertions: [] }),
      result('new', {}),
    ]);
    const c = compareReports(now, before, 'evaluation/baseline.json');
    expect(c.regressions).toEqual([
      { scenario: 'a', what: 'resolved', before: 'full', after: 'partial' },
      { scenario: 'a', what: 'assertion tests_pass', before: 'holds', after: 'exit 1' },
      { scenario: 'a', what: 'FAIL_TO_PASS test "f"', before: 'pass', after: 'fail' },
      { scenario: 'c', what: 'resolved', before: 'full', after: 'error' },
    ]);
    expect(c.improvements).toEqual([{ scenario: 'b', what: 'resolved', before: 'partial', after: 'full' }]);
    expect(c.changes.find((x) => x.scenario === 'a')?.durationMs).toEqual({ before: 1000, after: 5000 });
    expect(c.added).toEqual(['new']);
    expect(c.notRun).toEqual(['gone']);
  });

  it('the same results again: no regression', () => {
    const r = report('eval-x', [result('a', {}), result('b', { resolved: 'none' })]);
    expect(compareReports(r, r, 'x').regressions).toEqual([]);
  });
});
