import { formatDiagnostic } from '../repo/diagnostics.js';
import type { GuardReport, Violation } from './types.js';

/** People's view: violations grouped by file, each with its rule id and fix, then a verdict. */
export function formatGuardText(report: GuardReport, color: boolean): string {
  const paint = (code: string, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const byFile = new Map<string, Violation[]>();
  for (const v of report.violations) byFile.set(v.file, [...(byFile.get(v.file) ?? []), v]);
  const lines: string[] = [];
  for (const [file, violations] of byFile) {
    lines.push(paint('1', file));
    for (const v of violations) {
      // a rule's own finding kinds (e.g. approval/signer-mismatch) show; parse errors show as structure
      const code = v.code === v.rule || v.rule === 'structure' ? v.rule : `${v.rule}/${v.code}`;
      const text = formatDiagnostic({ ...v, code })
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n');
      lines.push(paint(v.severity === 'error' ? '31' : '33', text));
    }
    lines.push('');
  }
  const { errors, warnings, specs, tasks } = report.counts;
  const range = report.range
    ? `, ${report.range.changedFiles} changed file(s) since ${report.range.base.slice(0, 12)}`
    : '';
  const summary = `${specs} specs, ${tasks} tasks${range}, evaluated on ${report.now}: ${errors} error(s), ${warnings} warning(s)`;
  for (const note of report.notes ?? []) lines.push(`note: ${note}`);
  if (report.override) {
    lines.push(
      paint(
        '33',
        `guard overridden by ${report.override.by} (${report.override.source}): ${report.override.reason}`,
      ),
      paint(
        '33',
        `${report.override.violations} violation(s) let through; recorded in .runs/guard/overrides.jsonl`,
      ),
    );
  }
  lines.push(
    report.passed
      ? paint('32', `spec guard passed: ${summary}`)
      : paint('31', `spec guard failed: ${summary}`),
  );
  return lines.join('\n');
}
