/**
 * One scenario, start to end, in a temporary directory of its own:
 * source → inject → setup → task files → baseline → pipeline → grade.
 * Anything that stops it from being evaluated (a package that cannot be fetched, a setup command
 * that fails or times out, an invalid baseline, the scenario's deadline) ends it as `error` with
 * the stage and the reason; it never throws.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startModelServer, type ModelServer } from '../model-server/server.js';
import { createRedactor } from '../runs/redaction.js';
import { type Grade, checkBaseline, grade } from './grade.js';
import { cliPath, readRunManifest, roleArgs, taskIdOf, usageOf, writeTaskFiles } from './pipeline-run.js';
import { commitAll, git, initRepo, injectEdits, materializeSource, StageError } from './prepare-repo.js';
import type { ScenarioResult, Stage } from './result-types.js';
import { ScenarioShell, type ShellResult } from './scenario-shell.js';
import {
  DEFAULT_COMMAND_TIMEOUT_S,
  DEFAULT_SCENARIO_TIMEOUT_S,
  DEFAULT_SETUP_TIMEOUT_S,
  type GoalName,
  type LoadedEvalScenario,
} from './scenario-types.js';
import { parseTestOutput, type TestStatus } from './test-results.js';

export interface RunScenarioOptions {
  /** The scenario's result directory (created): result.json, logs/, run-manifest.json. */
  resultDir: string;
  provider: 'scripted' | 'real';
  keep: boolean;
  /** Overrides the scenario's timeout_seconds. */
  timeoutS?: number;
  /** Extra `--role` overrides (ROLE=ADAPTER), for tests. */
  roles?: string[];
}

const GOALS: GoalName[] = ['build', 'test', 'lint'];

export async function runScenario(
  loaded: LoadedEvalScenario,
  options: RunScenarioOptions,
): Promise<ScenarioResult> {
  const { scenario, evalDir } = loaded;
  const started = performance.now();
  const logDir = join(options.resultDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const deadline = new AbortController();
  const limitS = options.timeoutS ?? scenario.timeout_seconds ?? DEFAULT_SCENARIO_TIMEOUT_S;
  const timer = setTimeout(() => deadline.abort(), limitS * 1000);
  const shell = new ScenarioShell(
    logDir,
    createRedactor({ env: process.env, patterns: [] }),
    deadline.signal,
  );
  const tmp = mkdtempSync(join(tmpdir(), `cxo-eval-${scenario.id.slice(0, 40)}-`));
  const repo = join(tmp, 'repo');
  mkdirSync(repo);
  const p = scenario.pipeline;
  const provider = p.model ? (options.provider === 'real' && p.real_provider ? 'real' : 'scripted') : null;
  const result: ScenarioResult = {
    scenario: scenario.id,
    file: loaded.file,
    title: scenario.title ?? null,
    kind: p.pattern ? 'pattern' : p.model ? 'agent' : 'command',
    source:
      scenario.source.fixture !== undefined
        ? `fixture:${scenario.source.fixture}`
        : `npm:${scenario.source.npm}`,
    provider,
    resolved: 'error',
    reason: '',
    error: null,
    startedAt: new Date().toISOString(),
    durationMs: 0,
    stages: {},
    goals: {},
    tests: { fail_to_pass: [], pass_to_pass: [] },
    assertions: [],
    pipeline: null,
    usage: { input_tokens: 0, output_tokens: 0, total_tokens: 0 },
    costUsd: null,
    logs: [],
    kept: null,
  };
  let stage: Stage = 'source';
  let stageStart = performance.now();
  const enter = (next: Stage) => {
    result.stages[stage] = Math.round(performance.now() - stageStart);
    stage = next;
    stageStart = performance.now();
  };
  let server: ModelServer | undefined;
  try {
    await materializeSource(scenario, evalDir, repo, deadline.signal);
    const label = result.source.replace(/^npm:/, '').replace(/^fixture:/, 'fixture ');
    initRepo(repo, `eval: ${label} as published`);

    enter('inject');
    if (scenario.inject?.length) {
      injectEdits(repo, scenario.inject);
      commitAll(repo, 'eval: inject the bug');
    }

    enter('setup');
    for (const [i, cmd] of (scenario.setup ?? []).entries()) {
      const limit = cmd.timeout_seconds ?? DEFAULT_SETUP_TIMEOUT_S;
      const r = await shell.run(`setup-${i + 1}`, cmd.run, repo, limit);
      failIfBad(r, `setup command "${cmd.run}"`, limit, deadline.signal, limitS);
    }
    commitAll(repo, 'eval: setup');
    // runs happen in worktrees outside the repository: they find the installed dependencies by
    // walking up to this link (Node's module resolution, npm's .bin lookup) and on PATH
    if (existsSync(join(repo, 'node_modules'))) {
      symlinkSync(join('repo', 'node_modules'), join(tmp, 'node_modules'), 'dir');
      shell.addBinDir(join(tmp, 'node_modules', '.bin'));
    }
    writeTaskFiles(repo, scenario, new Date().toISOString().slice(0, 10));

    enter('baseline');
    const before = await measure('baseline', repo);
    const invalid = checkBaseline(scenario, before.tests);
    if (invalid) throw new StageError(invalid);

    enter('pipeline');
    const taskId = taskIdOf(scenario);
    const { args: roles, adapters } = roleArgs(scenario);
    const env = shell.env({ CXO_WORKTREES_DIR: join(tmp, 'worktrees') });
    if (provider === 'scripted') {
      server = await startModelServer({
        scenario: resolve(evalDir, p.model!),
        logFile: join(options.resultDir, 'model-requests.ndjson'),
      });
      Object.assign(env, {
        CXO_BUILTIN_BASE_URL: server.url,
        CXO_BUILTIN_MODEL: server.scenario.model ?? 'scripted',
      });
    } else if (provider === 'real') {
      for (const [name, value] of Object.entries(process.env))
        if (/^(CXO_BUILTIN_|OPENAI_)/.test(name) && value !== undefined) env[name] = value;
    }
    const cli = cliPath();
    const remainingS = Math.max(1, limitS - (performance.now() - started) / 1000);
    const approve = await shell.run(
      'pipeline-approve',
      [process.execPath, cli, 'spec', 'approve', 'eval-task', '--by', 'cxo-eval-reviewer', '--commit'],
      repo,
      Math.min(60, remainingS),
      env,
    );
    failIfBad(approve, 'cxo spec approve', 60, deadline.signal, limitS);
    const run = await shell.run(
      'pipeline',
      [
        process.execPath,
        cli,
        'run',
        taskId,
        ...roles,
        ...(options.roles ?? []).flatMap((r) => ['--role', r]),
      ],
      repo,
      Math.min(p.timeout_seconds ?? remainingS, remainingS),
      env,
    );
    if (deadline.signal.aborted) throw new StageError(`the scenario timed out after ${limitS} s`);
    const recorded = readRunManifest(repo, taskId);
    const m = recorded?.manifest ?? null;
    if (recorded) copyFileSync(join(repo, recorded.path), join(options.resultDir, 'run-manifest.json'));
    const head = m ? revParse(repo, m.run.branch) : null;
    const changedFiles =
      m && head
        ? git(repo, 'diff', '--name-only', m.trigger.baseCommit, head).split('\n').filter(Boolean)
        : [];
    for (const step of m?.steps ?? []) adapters[step.role] = step.adapter;
    result.pipeline = {
      exitCode: run.exitCode,
      runId: m?.run.id ?? null,
      status: m?.result.status ?? null,
      reason: m?.result.reason ?? null,
      errorCode: m?.result.error?.code ?? null,
      manifest: recorded?.path ?? null,
      adapters,
      changedFiles,
    };
    Object.assign(result, usageOf(m));
    if (!m) {
      // the run never started (bad adapter, configuration): the scenario says nothing about the agent
      const why = lastLines(run.stderr || run.stdout) || `exit ${run.exitCode}`;
      throw new StageError(`cxo run did not start a run: ${why}`);
    }

    enter('grade');
    if (head) git(repo, 'checkout', '-q', '-f', '--detach', head);
    const after = await measure('grade', repo);
    const builder = m.steps.find((s) => s.role === 'builder');
    const graded: Grade = grade(scenario, before.tests, scenario.tests ? after.tests : null, {
      changedFiles,
      builder: builder ? { adapter: builder.adapter, status: builder.status } : null,
      goalsAfter: after.goals,
    });
    for (const goal of GOALS) {
      if (scenario.goals?.[goal])
        result.goals[goal] = { before: before.goals[goal] ?? null, after: after.goals[goal] ?? null };
    }
    result.tests = graded.tests;
    result.assertions = graded.assertions;
    result.resolved = graded.resolved;
    result.reason =
      m.result.status === 'review' || graded.resolved === 'full'
        ? graded.reason
        : `${graded.reason}; the run ${m.result.status}${m.result.error ? ` (${m.result.error.code}: ${m.result.error.message})` : ''}`;
  } catch (e) {
    const message = deadline.signal.aborted
      ? `the scenario timed out after ${limitS} s (in ${stage})`
      : e instanceof StageError || (e as Error).name === 'FetchError'
        ? (e as Error).message
        : `${(e as Error).name}: ${(e as Error).message}`;
    result.resolved = 'error';
    result.error = {
      stage,
      message: scenario.source.npm && stage === 'source' ? `${loaded.file}: ${message}` : message,
    };
    result.reason = result.error.message;
  } finally {
    clearTimeout(timer);
    result.stages[stage] = Math.round(performance.now() - stageStart);
    await server?.close();
    result.durationMs = Math.round(performance.now() - started);
    result.logs = listLogs(options.resultDir);
    if (options.keep) result.kept = tmp;
    else rmSync(tmp, { recursive: true, force: true });
  }
  return result;

  /** Goals and tests at the checked-out commit, with their exit codes and per-test results. */
  async function measure(
    phase: 'baseline' | 'grade',
    dir: string,
  ): Promise<{ goals: Partial<Record<GoalName, number | null>>; tests: Map<string, TestStatus> }> {
    const goals: Partial<Record<GoalName, number | null>> = {};
    for (const goal of GOALS) {
      const cmd = scenario.goals?.[goal];
      if (!cmd) continue;
      const r = await shell.run(
        `${phase}-goal-${goal}`,
        cmd.run,
        dir,
        cmd.timeout_seconds ?? DEFAULT_COMMAND_TIMEOUT_S,
      );
      if (deadline.signal.aborted) throw new StageError('cancelled');
      goals[goal] = r.exitCode;
    }
    let tests = new Map<string, TestStatus>();
    if (scenario.tests) {
      const t = scenario.tests;
      const r = await shell.run(
        `${phase}-tests`,
        t.command,
        dir,
        t.timeout_seconds ?? DEFAULT_COMMAND_TIMEOUT_S,
      );
      if (deadline.signal.aborted) throw new StageError('cancelled');
      if (r.error) throw new StageError(`the test command "${t.command}" could not run: ${r.error}`);
      tests = parseTestOutput(t.format, r.stdout);
    }
    return { goals, tests };
  }
}

function failIfBad(
  r: ShellResult,
  what: string,
  limitS: number,
  signal: AbortSignal,
  scenarioLimitS: number,
): void {
  if (signal.aborted) throw new StageError(`the scenario timed out after ${scenarioLimitS} s`);
  if (r.timedOut) throw new StageError(`${what} timed out after ${limitS} s`);
  if (r.error) throw new StageError(`${what} could not run: ${r.error}`);
  if (r.exitCode !== 0)
    throw new StageError(`${what} failed (exit ${r.exitCode ?? 'none'}): ${lastLines(r.stderr || r.stdout)}`);
}

function lastLines(text: string, n = 3): string {
  return text.trim().split('\n').slice(-n).join(' | ').slice(0, 500);
}

function revParse(repo: string, ref: string): string | null {
  try {
    return git(repo, 'rev-parse', '--verify', '-q', `${ref}^{commit}`).trim() || null;
  } catch {
    return null;
  }
}

/** The files of a result directory, for the report (logs first, sorted). */
function listLogs(resultDir: string): string[] {
  const logs = existsSync(join(resultDir, 'logs')) ? readdirSync(join(resultDir, 'logs')).sort() : [];
  const extra = ['run-manifest.json', 'model-requests.ndjson'].filter((f) => existsSync(join(resultDir, f)));
  return [...logs.map((f) => `logs/${f}`), ...extra];
}
