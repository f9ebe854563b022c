import { escapeTerminal, escapeTerminalBlock } from '../util/terminal-text.js';
import type { GuardReport, Violation } from './types.js';

/** GitHub shows at most 10 annotations of each type per step; the rest go to the summary table. */
export const ANNOTATIONS_PER_TYPE = 10;

/**
 * Reports through @actions/core (loaded only here): error and warning annotations for the first
 * violations, the full table in the step summary, the `violations` and `report` outputs, and a
 * failed step when the guard fails.
 */
export async function reportToGitHub(report: GuardReport, reportPath: string): Promise<void> {
  const core = await import('@actions/core');
  const annotate = (severity: 'error' | 'warning', list: Violation[]) => {
    for (const v of list.slice(0, ANNOTATIONS_PER_TYPE)) {
      const properties = {
        title: v.rule,
        file: escapeTerminal(v.file),
        startLine: v.line,
        startColumn: v.column,
      };
      // @actions/core escapes the workflow-command syntax (%, CR, LF, and : , in properties);
      // control characters from a spec would still reach the log viewer, which renders ANSI
      const message = escapeTerminalBlock(v.hint ? `${v.message}\n${v.hint}` : v.message);
      if (severity === 'error') core.error(message, properties);
      else core.warning(message, properties);
    }
  };
  const errors = report.violations.filter((v) => v.severity === 'error');
  const warnings = report.violations.filter((v) => v.severity === 'warning');
  // an override turns errors into warnings; GitHub shows 10 warnings per step, errors first
  if (report.override) annotate('warning', [...errors, ...warnings]);
  else {
    annotate('error', errors);
    annotate('warning', warnings);
  }

  const summary = core.summary.addHeading(report.passed ? 'Spec guard passed' : 'Spec guard failed', 2);
  summary.addRaw(
    `${report.counts.specs} specs and ${report.counts.tasks} tasks evaluated on ${report.now}: ${report.counts.errors} error(s), ${report.counts.warnings} warning(s).`,
    true,
  );
  if (report.override) {
    summary.addRaw(
      `**Overridden** by ${escapeHtml(report.override.by)} (${report.override.source}): ${escapeHtml(report.override.reason)}. ${report.override.violations} violation(s) let through, recorded in \`.runs/guard/overrides.jsonl\`.`,
      true,
    );
  }
  if (report.violations.length > 0) {
    summary.addTable([
      [
        { data: 'severity', header: true },
        { data: 'rule', header: true },
        { data: 'where', header: true },
        { data: 'message', header: true },
      ],
      ...report.violations.map((v) => [
        v.severity,
        v.rule,
        escapeHtml(v.line ? `${v.file}:${v.line}:${v.column ?? 1}` : v.file),
        escapeHtml(v.message),
      ]),
    ]);
    const hidden =
      Math.max(0, errors.length - ANNOTATIONS_PER_TYPE) + Math.max(0, warnings.length - ANNOTATIONS_PER_TYPE);
    if (hidden > 0)
      summary.addRaw(
        `${hidden} violation(s) are in this table only: GitHub shows ${ANNOTATIONS_PER_TYPE} annotations of each type per step.`,
        true,
      );
  }
  if (process.env.GITHUB_STEP_SUMMARY) await summary.write();
  core.setOutput('violations', String(report.counts.errors + report.counts.warnings));
  core.setOutput('errors', String(report.counts.errors));
  core.setOutput('report', reportPath);
  if (!report.passed) core.setFailed(`spec guard failed: ${report.counts.errors} error(s)`);
}

/** Summary text is HTML: a message quoting `<T>` or `&` must not become markup, nor send control characters. */
function escapeHtml(text: string): string {
  return escapeTerminal(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
