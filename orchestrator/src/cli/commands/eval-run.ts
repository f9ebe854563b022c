import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { readReport } from '../../eval/eval-store.js';
import { loadEvalScenarios } from '../../eval/load-scenario.js';
import { seconds } from '../../eval/report.js';
import { evalExitCode } from '../../eval/compare.js';
import { runEvaluation } from '../../eval/run-eval.js';
import { findRepoRoot } from '../../repo/repo-files.js';
import type { CommandHandler } from '../command-table.js';
import { printComparison, printSummary } from './eval-report.js';

/** `cxo eval run`: scenarios in temporary repositories, results under .runs/eval/<eval-id>/. */
const evalRun: CommandHandler = async ({ cwd, options, out }) => {
  const root = findRepoRoot(cwd);
  const evalDir = join(root, 'evaluation');
  const all = loadEvalScenarios(root, evalDir);
  const wanted = (options.scenario as string[] | undefined) ?? [];
  const unknown = wanted.filter((id) => !all.some((s) => s.scenario.id === id));
  if (unknown.length)
    throw new UsageError(
      `no scenario ${unknown.map((id) => `"${id}"`).join(', ')} in evaluation/scenarios/`,
      `scenarios: ${all.map((s) => s.scenario.id).join(', ')}`,
    );
  const scenarios = wanted.length ? all.filter((s) => wanted.includes(s.scenario.id)) : all;
  const concurrency = positive(options.concurrency, 'concurrency') ?? 1;
  const timeoutS = positive(options.timeout, 'timeout');
  const provider = (options.provider as string | undefined) ?? 'scripted';
  if (provider !== 'scripted' && provider !== 'real')
    throw new UsageError(`--provider must be scripted or real, not "${provider}"`);
  if (provider === 'real' && !process.env.OPENAI_API_KEY && !process.env.CXO_BUILTIN_BASE_URL)
    throw new UsageError(
      '--provider real needs OPENAI_API_KEY (or CXO_BUILTIN_BASE_URL for another OpenAI-compatible endpoint)',
    );
  const compareRef =
    typeof options.compare === 'string'
      ? options.compare
      : existsSync(join(evalDir, 'baseline.json'))
        ? join(evalDir, 'baseline.json')
        : undefined;
  const previous = compareRef ? readReport(root, cwd, compareRef) : undefined;

  const json = options.json === true;
  const { report, dir } = await runEvaluation({
    root,
    scenarios,
    concurrency,
    provider,
    keep: options.keep === true,
    timeoutS,
    roles: options.role as string[] | undefined,
    previous,
    reportDir: typeof options.report === 'string' ? resolve(cwd, options.report) : undefined,
    onStart: json ? undefined : (id) => out.error(`${id}: started`),
    onResult: json
      ? undefined
      : (r) =>
          out.error(
            `${r.scenario}: ${r.resolved} in ${seconds(r.durationMs)}${r.resolved === 'full' ? '' : ` (${r.reason})`}`,
          ),
  });
  if (json) out.json(report);
  else {
    printSummary(out, report);
    printComparison(out, report);
    out.line(`results: ${relative(cwd, dir) || '.'}/ (report.md, report.json, one directory per scenario)`);
  }
  return evalExitCode(report);
};
export default evalRun;

function positive(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(typeof value === 'string' && /^\d+$/.test(value) && n > 0))
    throw new UsageError(`--${name} must be a positive whole number, not "${String(value)}"`);
  return n;
}
