/**
 * An evaluation against an earlier one, scenario by scenario. A regression is a resolution that
 * went down (full → partial → none → error), an assertion or a FAIL_TO_PASS/PASS_TO_PASS test that
 * held and now does not. Duration, token and cost changes are reported but never fail.
 */
import { relative } from 'node:path';
import type { Resolved } from './grade.js';
import type { EvalReport } from './report.js';
import type { ScenarioResult } from './result-types.js';

export interface Regression {
  scenario: string;
  what: string;
  before: string;
  after: string;
}

export interface Change {
  scenario: string;
  resolved: { before: Resolved; after: Resolved };
  durationMs: { before: number; after: number };
  tokens: { before: number; after: number };
  costUsd: { before: number | null; after: number | null };
}

export interface Comparison {
  /** The evaluation compared against: its id and where it was read from. */
  against: { id: string; path: string };
  regressions: Regression[];
  /** Resolutions that went up. */
  improvements: Regression[];
  changes: Change[];
  /** Scenarios only in this evaluation, and those of the earlier one not run now. */
  added: string[];
  notRun: string[];
}

const RANK: Record<Resolved, number> = { error: 0, none: 1, partial: 2, full: 3 };

export function compareReports(current: EvalReport, previous: EvalReport, path: string): Comparison {
  const before = new Map(previous.scenarios.map((s) => [s.scenario, s]));
  const now = new Set(current.scenarios.map((s) => s.scenario));
  const out: Comparison = {
    against: { id: previous.id, path },
    regressions: [],
    improvements: [],
    changes: [],
    added: [],
    notRun: previous.scenarios.map((s) => s.scenario).filter((id) => !now.has(id)),
  };
  for (const s of current.scenarios) {
    const b = before.get(s.scenario);
    if (!b) {
      out.added.push(s.scenario);
      continue;
    }
    if (RANK[s.resolved] < RANK[b.resolved])
      out.regressions.push({ scenario: s.scenario, what: 'resolved', before: b.resolved, after: s.resolved });
    else if (RANK[s.resolved] > RANK[b.resolved])
      out.improvements.push({
        scenario: s.scenario,
        what: 'resolved',
        before: b.resolved,
        after: s.resolved,
      });
    out.regressions.push(...lostChecks(b, s));
    out.changes.push({
      scenario: s.scenario,
      resolved: { before: b.resolved, after: s.resolved },
      durationMs: { before: b.durationMs, after: s.durationMs },
      tokens: { before: b.usage.total_tokens, after: s.usage.total_tokens },
      costUsd: { before: b.costUsd, after: s.costUsd },
    });
  }
  return out;
}

/** Assertions and tests that held before and do not now (skipped when the scenario errored: that is reported once). */
function lostChecks(b: ScenarioResult, s: ScenarioResult): Regression[] {
  if (s.resolved === 'error') return [];
  const out: Regression[] = [];
  const held = new Map(b.assertions.map((a) => [a.name, a.holds]));
  for (const a of s.assertions) {
    if (held.get(a.name) === true && !a.holds)
      out.push({ scenario: s.scenario, what: `assertion ${a.name}`, before: 'holds', after: a.detail });
  }
  for (const kind of ['fail_to_pass', 'pass_to_pass'] as const) {
    const passed = new Map(b.tests[kind].map((t) => [t.name, t.after]));
    for (const t of s.tests[kind]) {
      if (passed.get(t.name) === 'pass' && t.after !== 'pass')
        out.push({
          scenario: s.scenario,
          what: `${kind.toUpperCase()} test "${t.name}"`,
          before: 'pass',
          after: t.after ?? 'not run',
        });
    }
  }
  return out;
}

/** The comparison with `previous`, naming its file relative to the repository when it is inside it. */
export function compareWith(
  report: EvalReport,
  previous: { report: EvalReport; path: string },
  root: string,
): Comparison {
  const shown = relative(root, previous.path);
  return compareReports(report, previous.report, shown.startsWith('..') ? previous.path : shown);
}

/** Exit status of an evaluation: 1 when a scenario errored or something regressed. */
export function evalExitCode(report: EvalReport): number {
  return report.summary.error > 0 || (report.comparison?.regressions.length ?? 0) > 0 ? 1 : 0;
}
