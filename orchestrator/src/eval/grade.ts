/**
 * Grading, as pure functions over what the harness observed.
 *
 * - The baseline must be a real problem: every FAIL_TO_PASS test fails (or is missing) and every
 *   PASS_TO_PASS test passes before the pipeline; otherwise the scenario cannot be graded (error).
 * - No change, no credit: a pipeline that changed no file is `none`, whatever the tests say.
 * - `full`: every FAIL_TO_PASS and PASS_TO_PASS test passes and every assertion holds.
 * - `partial`: not full, no PASS_TO_PASS test broke, and some FAIL_TO_PASS test passes.
 * - `none`: anything else.
 */
import picomatch from 'picomatch';
import type { EvalScenario, GoalName } from './scenario-types.js';
import type { TestStatus } from './test-results.js';

export type Resolved = 'full' | 'partial' | 'none' | 'error';
export type Observed = TestStatus | 'missing';

export interface TestOutcome {
  name: string;
  before: Observed;
  after: Observed | null;
}

export interface AssertionOutcome {
  /** e.g. `files_changed`, `pattern_applied`, `tests_pass`, `goal lint passes`. */
  name: string;
  holds: boolean;
  detail: string;
}

export interface Grade {
  resolved: Exclude<Resolved, 'error'>;
  reason: string;
  tests: { fail_to_pass: TestOutcome[]; pass_to_pass: TestOutcome[] };
  assertions: AssertionOutcome[];
}

export interface PipelineFacts {
  changedFiles: string[];
  /** The builder step's adapter and status from the run manifest. */
  builder: { adapter: string; status: string } | null;
  goalsAfter: Partial<Record<GoalName, number | null>>;
}

const lookup = (results: Map<string, TestStatus>, name: string): Observed => results.get(name) ?? 'missing';

/** Why the baseline cannot be graded, or undefined when it can. */
export function checkBaseline(scenario: EvalScenario, before: Map<string, TestStatus>): string | undefined {
  for (const name of scenario.tests?.fail_to_pass ?? []) {
    if (lookup(before, name) === 'pass')
      return `FAIL_TO_PASS test "${name}" already passes before the pipeline: grading would pass a no-op`;
  }
  for (const name of scenario.tests?.pass_to_pass ?? []) {
    const status = lookup(before, name);
    if (status !== 'pass')
      return `PASS_TO_PASS test "${name}" does not pass before the pipeline (${status}): it cannot show a regression`;
  }
  return undefined;
}

export function grade(
  scenario: EvalScenario,
  before: Map<string, TestStatus>,
  after: Map<string, TestStatus> | null,
  facts: PipelineFacts,
): Grade {
  const outcome = (name: string): TestOutcome => ({
    name,
    before: lookup(before, name),
    after: after ? lookup(after, name) : null,
  });
  const f2p = (scenario.tests?.fail_to_pass ?? []).map(outcome);
  const p2p = (scenario.tests?.pass_to_pass ?? []).map(outcome);
  const assertions = checkAssertions(scenario, facts);
  const tests = { fail_to_pass: f2p, pass_to_pass: p2p };

  if (facts.changedFiles.length === 0)
    return { resolved: 'none', reason: 'the pipeline changed no file', tests, assertions };
  const fixed = f2p.filter((t) => t.after === 'pass').length;
  const broken = p2p.filter((t) => t.after !== 'pass');
  const failing = assertions.filter((a) => !a.holds);
  if (fixed === f2p.length && broken.length === 0 && failing.length === 0)
    return { resolved: 'full', reason: 'every test and assertion holds', tests, assertions };
  const why = [
    f2p.length > fixed ? `${f2p.length - fixed} of ${f2p.length} FAIL_TO_PASS still fail` : '',
    broken.length ? `PASS_TO_PASS broke: ${broken.map((t) => `"${t.name}"`).join(', ')}` : '',
    failing.length ? `assertions failed: ${failing.map((a) => a.name).join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('; ');
  if (broken.length === 0 && fixed > 0) return { resolved: 'partial', reason: why, tests, assertions };
  return { resolved: 'none', reason: why, tests, assertions };
}

function checkAssertions(scenario: EvalScenario, facts: PipelineFacts): AssertionOutcome[] {
  const a = scenario.assert ?? {};
  const out: AssertionOutcome[] = [];
  if (a.files_changed) {
    const isMatch = picomatch(a.files_changed, { dot: true });
    const outside = facts.changedFiles.filter((f) => !isMatch(f));
    out.push({
      name: 'files_changed',
      holds: facts.changedFiles.length > 0 && outside.length === 0,
      detail:
        facts.changedFiles.length === 0
          ? 'no file changed'
          : outside.length
            ? `changed outside ${a.files_changed.join(', ')}: ${outside.join(', ')}`
            : `changed ${facts.changedFiles.join(', ')}`,
    });
  }
  if (a.pattern_applied) {
    const want = `pattern:${a.pattern_applied}`;
    const b = facts.builder;
    out.push({
      name: 'pattern_applied',
      holds: b?.adapter === want && b.status === 'succeeded',
      detail: b ? `builder ${b.adapter} ${b.status}` : 'no builder step was recorded',
    });
  }
  const goal = (name: GoalName, label: string) => {
    const code = facts.goalsAfter[name];
    out.push({
      name: label,
      holds: code === 0,
      detail: code === undefined ? 'not run' : `exit ${code === null ? 'none (killed)' : code}`,
    });
  };
  if (a.tests_pass) goal('test', 'tests_pass');
  for (const name of a.goals_pass ?? [])
    if (!(name === 'test' && a.tests_pass)) goal(name, `goal ${name} passes`);
  return out;
}
