/**
 * The pipeline under evaluation is the real orchestrator, run the way a user runs it: a task
 * index with one task, a fresh spec approved with `cxo spec approve`, then `cxo run TASK` with the
 * built CLI as a child process. What it did is read back from its run manifest.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunManifest } from '../runs/manifest-types.js';
import { listRuns } from '../runs/run-index.js';
import { MANIFEST } from '../runs/run-recorder.js';
import { packageRoot } from '../util/package-root.js';
import type { EvalScenario } from './scenario-types.js';
import { commitAll } from './prepare-repo.js';

export const SPEC_FILE = 'specs/0001-eval-task.md';
const ROLES = ['manager', 'builder', 'tester', 'reviewer'] as const;

/** The task id inside the temporary repository. */
export function taskIdOf(scenario: EvalScenario): string {
  return scenario.id;
}

/** Writes the task index and the spec, and commits them (before the baseline is measured). */
export function writeTaskFiles(repo: string, scenario: EvalScenario, today: string): string {
  const task = scenario.pipeline.task;
  const covers = task.paths?.length ? task.paths : ['**'];
  const index = {
    version: 1,
    tasks: [
      {
        id: taskIdOf(scenario),
        title: task.title,
        ...(task.description ? { description: task.description } : {}),
        spec: SPEC_FILE,
        owner: 'cxo-eval',
        acceptance: task.acceptance ?? [],
        ...(task.paths?.length ? { paths: task.paths } : {}),
      },
    ],
  };
  writeFileSync(join(repo, 'codex.tasks.json'), `${JSON.stringify(index, null, 2)}\n`);
  mkdirSync(join(repo, 'specs'), { recursive: true });
  writeFileSync(
    join(repo, SPEC_FILE),
    [
      '---',
      'id: eval-task',
      `title: ${JSON.stringify(task.title)}`,
      'status: draft',
      'owners: [cxo-eval]',
      'risk: low',
      `last_review: ${today}`,
      `covers: ${JSON.stringify(covers)}`,
      '---',
      '',
      `# ${task.title}`,
      '',
      task.description ?? '',
      '',
    ].join('\n'),
  );
  return commitAll(repo, `eval: the task ${taskIdOf(scenario)} and its spec`);
}

/** `--role` arguments: the scenario's roles over the defaults of its kind. */
export function roleArgs(scenario: EvalScenario): { args: string[]; adapters: Record<string, string> } {
  const p = scenario.pipeline;
  const defaults: Record<string, string> = p.pattern
    ? { manager: 'none', builder: `pattern:${p.pattern}`, tester: 'none', reviewer: 'none' }
    : p.model
      ? { manager: 'builtin', builder: 'builtin', tester: 'none', reviewer: 'builtin' }
      : { manager: 'none', builder: 'none', tester: 'none', reviewer: 'none' };
  const adapters: Record<string, string> = {};
  for (const role of ROLES) adapters[role] = p.roles?.[role] ?? defaults[role];
  return { args: ROLES.flatMap((role) => ['--role', `${role}=${adapters[role]}`]), adapters };
}

/** The built CLI of this package (dist/bin/cxo.js); `CXO_EVAL_CLI` names another. */
export function cliPath(): string {
  if (process.env.CXO_EVAL_CLI) return process.env.CXO_EVAL_CLI;
  const root = packageRoot();
  const cli = root && join(root, 'dist', 'bin', 'cxo.js');
  if (!cli || !existsSync(cli)) throw new Error('dist/bin/cxo.js not found: run `npm run build`');
  return cli;
}

/** The run the pipeline recorded in the temporary repository, if any. */
export function readRunManifest(
  repo: string,
  taskId: string,
): { path: string; manifest: RunManifest } | null {
  const newest = listRuns(repo).find((r) => r.manifest.task.id === taskId);
  return newest ? { path: `${newest.dir}/${MANIFEST}`, manifest: newest.manifest } : null;
}

/** Tokens and cost over the run's agent steps; cost is null when no step knew its price. */
export function usageOf(manifest: RunManifest | null): {
  usage: { input_tokens: number; output_tokens: number; total_tokens: number };
  costUsd: number | null;
} {
  let input = 0;
  let output = 0;
  let cost: number | null = null;
  for (const step of manifest?.steps ?? []) {
    input += step.usage?.input_tokens ?? 0;
    output += step.usage?.output_tokens ?? 0;
    if (typeof step.costUsd === 'number') cost = (cost ?? 0) + step.costUsd;
  }
  return {
    usage: { input_tokens: input, output_tokens: output, total_tokens: input + output },
    costUsd: cost,
  };
}
