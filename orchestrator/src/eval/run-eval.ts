/**
 * `cxo eval run` as a library function: the scenarios through a pool of N workers, each result
 * written as soon as its scenario ends, then the aggregate report (and the comparison).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { VERSION } from '../generated/version.js';
import { writeFileAtomic } from '../repo/atomic-write.js';
import { compareWith } from './compare.js';
import { EVAL_DIR, newEvalId } from './eval-store.js';
import { type EvalReport, renderMarkdown, summarize } from './report.js';
import type { ScenarioResult } from './result-types.js';
import { runScenario } from './run-scenario.js';
import type { LoadedEvalScenario } from './scenario-types.js';

export interface RunEvalOptions {
  root: string;
  scenarios: LoadedEvalScenario[];
  concurrency: number;
  provider: 'scripted' | 'real';
  keep: boolean;
  timeoutS?: number;
  roles?: string[];
  /** The report to compare with, already read. */
  previous?: { report: EvalReport; path: string };
  /** Also write report.json and report.md here. */
  reportDir?: string;
  onStart?: (scenario: string) => void;
  onResult?: (result: ScenarioResult) => void;
}

export async function runEvaluation(options: RunEvalOptions): Promise<{ report: EvalReport; dir: string }> {
  const id = newEvalId();
  const dir = join(options.root, EVAL_DIR, id);
  mkdirSync(dir, { recursive: true });
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const results: ScenarioResult[] = new Array(options.scenarios.length);
  let next = 0;
  const worker = async () => {
    while (next < options.scenarios.length) {
      const i = next++;
      const loaded = options.scenarios[i];
      options.onStart?.(loaded.scenario.id);
      const resultDir = join(dir, loaded.scenario.id);
      const result = await runScenario(loaded, {
        resultDir,
        provider: options.provider,
        keep: options.keep,
        timeoutS: options.timeoutS,
        roles: options.roles,
      });
      writeFileAtomic(join(resultDir, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
      results[i] = result;
      options.onResult?.(result);
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency, options.scenarios.length));
  await Promise.all(Array.from({ length: workers }, worker));

  const report: EvalReport = {
    kind: 'cxo-eval-report',
    version: 1,
    id,
    startedAt,
    endedAt: new Date().toISOString(),
    durationMs: Math.round(performance.now() - started),
    orchestrator: { version: VERSION, node: process.version },
    provider: options.provider,
    summary: summarize(results),
    scenarios: results,
    comparison: null,
  };
  if (options.previous) report.comparison = compareWith(report, options.previous, options.root);
  writeReport(dir, report);
  if (options.reportDir) writeReport(options.reportDir, report);
  return { report, dir };
}

export function writeReport(dir: string, report: EvalReport): void {
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileAtomic(join(dir, 'report.md'), renderMarkdown(report));
}
