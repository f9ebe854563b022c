import { readReport } from '../../eval/eval-store.js';
import { type EvalReport, renderMarkdown, seconds } from '../../eval/report.js';
import { compareWith, evalExitCode } from '../../eval/compare.js';
import { findRepoRoot } from '../../repo/repo-files.js';
import type { CommandHandler } from '../command-table.js';
import type { Output } from '../output.js';

/** `cxo eval report [EVAL_ID|PATH]`: a stored evaluation as markdown (or JSON), optionally compared anew. */
const evalReport: CommandHandler = async ({ cwd, args, options, out }) => {
  const root = findRepoRoot(cwd);
  const { report } = readReport(root, cwd, args.evaluation);
  if (typeof options.compare === 'string')
    report.comparison = compareWith(report, readReport(root, cwd, options.compare), root);
  if (options.json) out.json(report);
  else out.write(renderMarkdown(report));
  return evalExitCode(report);
};
export default evalReport;

export function printSummary(out: Output, report: EvalReport): void {
  const s = report.summary;
  out.line(
    out.bold(
      `evaluation ${report.id}: ${s.scenarios} scenarios, ${s.full} full, ${s.partial} partial, ${s.none} none, ${s.error} error in ${seconds(report.durationMs)}`,
    ),
  );
  for (const r of report.scenarios)
    out.line(
      `  ${r.scenario.padEnd(32)} ${r.resolved.padEnd(8)} ${seconds(r.durationMs).padStart(8)}  ${r.usage.total_tokens} tokens`,
    );
}

export function printComparison(out: Output, report: EvalReport): void {
  const c = report.comparison;
  if (!c) return;
  if (!c.regressions.length) out.line(`no regressions against ${c.against.id} (${c.against.path})`);
  else {
    out.line(out.bold(`${c.regressions.length} regression(s) against ${c.against.id} (${c.against.path}):`));
    for (const r of c.regressions) out.line(`  ${r.scenario}: ${r.what}: ${r.before} -> ${r.after}`);
  }
}
