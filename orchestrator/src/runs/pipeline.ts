import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Agent, AgentContext, AgentResult } from '../agents/agent.js';
import { CommandOutcomes } from '../agents/command-outcomes.js';
import { createAgent } from '../agents/create-agent.js';
import { type AdapterSpec, parseAdapterSpec, resolveRoles } from '../agents/role-assignment.js';
import { CxoError, ExitCode, NotFoundError } from '../errors.js';
import { validatePlan, validateReview } from '../generated/validators.js';
import { VERSION } from '../generated/version.js';
import { git } from '../git/git.js';
import { actorName } from '../git/person.js';
import { addWorktree, branchExists, commitWorktree, diffStat, removeWorktree } from '../git/worktree.js';
import { purgeRunObjects } from '../git/purge-run-objects.js';
import { gateTask } from '../guard/dispatch-gate.js';
import { utcDayOf } from '../guard/utc-date.js';
import type { Config, EvidencePolicy } from '../repo/config.js';
import { loadSpec } from '../repo/load-repo.js';
import { LeaseKeeper } from '../state/lease-keeper.js';
import { loadObservedIndex } from '../state/observed-index.js';
import type { SpecDoc } from '../repo/markdown-docs.js';
import { ROLES, type Role, type Task } from '../repo/task-types.js';
import { changedEntries, configuredHooksPath } from '../git/changed-entries.js';
import type { IntegrityFinding, RunManifest, StepRecord } from './manifest-types.js';
import { type IntegrityChange, IntegrityWatch } from './run-integrity.js';
import { treeFindings } from './tree-review.js';
import { runProcess } from './process-runner.js';
import { assemblePrompt } from './prompt.js';
import { checklistContext, prdExcerpt } from './prompt-context.js';
import { type Redactor, redactJson } from './redaction.js';
import { createRunRedactor } from './run-redactor.js';
import { displayPath, HEARTBEAT_MS, newRunId, runBranchOf, runDirOf, worktreeDirOf } from './run-layout.js';
import { killGroup } from './stop-run.js';
import { runCostOf } from './run-cost.js';
import { RunRecorder } from './run-recorder.js';
import { scrubEnv } from './scrubbed-env.js';
import { chooseSandbox, type SandboxChoice, sandboxOfRun } from './sandbox/run-sandbox.js';
import type { Sandbox } from './sandbox/sandbox.js';
import { type WriteBackOutcome, writeBackRunStatus } from './status-write-back.js';
import { shareRunBranch } from '../state/share-run-branch.js';
import { staticReview } from './static-review.js';
import { worktreeFailure } from './worktree-failure.js';

/** What a person (or the watcher) sees while a run goes. */
export type ProgressEvent =
  | { type: 'run'; runId: string; taskId: string; dir: string }
  | { type: 'step'; role: Role; status: StepRecord['status']; summary?: string | null }
  | { type: 'command'; command: string; exitCode: number | null; durationMs: number }
  | { type: 'done'; status: RunManifest['result']['status']; reason: string | null }
  | ({ type: 'write-back' } & WriteBackOutcome);

export interface RunOptions {
  root: string;
  config: Config;
  taskId: string;
  runId?: string;
  roleFlags: Partial<Record<Role, string>>;
  /** Skip the dispatch gate, recording why. */
  force?: string;
  /** Leave the changes uncommitted in the worktree (the diff is still recorded). */
  noCommit: boolean;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  progress: (event: ProgressEvent) => void;
}

interface RunContext {
  root: string;
  config: Config;
  task: Task;
  spec?: SpecDoc;
  roles: Record<Role, AdapterSpec>;
  recorder: RunRecorder;
  redactor: Redactor;
  worktree: string;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  noCommit: boolean;
  progress: (event: ProgressEvent) => void;
  sandboxChoice: SandboxChoice;
  /** Set when the steps start: the worktree exists then. */
  sandbox?: Sandbox;
}

/** Starts a run of one task now: gate, worktree, then the pipeline. Returns the final manifest. */
export async function startRun(options: RunOptions): Promise<RunManifest> {
  const { root, config } = options;
  const { index } = loadObservedIndex(root, config, 'full');
  const task = index.byId.get(options.taskId);
  if (!task)
    throw new NotFoundError(`no task "${options.taskId}" in ${index.file}`, 'list ids with `cxo tasks list`');
  const spec = task.spec ? loadSpec(root, task.spec, config).spec : undefined;
  if (!options.force) {
    const gate = gateTask(task, index, spec, config, utcDayOf(new Date()));
    if (!gate.ok) {
      throw new CxoError(
        `task "${task.id}" may not run: ${gate.reasons.map((r) => `${r.reason} (${r.message})`).join('; ')}`,
        ExitCode.Failure,
        { hint: 'fix the spec or the dependencies (`cxo guard` explains), or pass --force REASON' },
      );
    }
  }
  const head = git(root, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], { allowFail: true });
  if (head.status !== 0)
    throw new CxoError('a run needs a git repository with at least one commit', ExitCode.Usage);
  const baseCommit = head.stdout.trim();
  const roles = resolveRoles(config, task, options.roleFlags);
  for (const role of ROLES)
    if (roles[role].adapter !== 'none') createAgent(roles[role], { config, env: options.env }); // fail before starting
  const sandboxChoice = chooseSandbox(config.sandbox, warnOnStderr);
  const runId = options.runId ?? newRunId();
  const redactor = createRunRedactor(config, options.env);
  const progress = redacting(options.progress, redactor);
  const worktree = worktreeDirOf(root, runId);
  const manifest: RunManifest = {
    version: 1,
    orchestrator: { version: VERSION, node: process.version },
    run: {
      id: runId,
      branch: runBranchOf(task.id, runId),
      createdAt: new Date().toISOString(),
      pid: process.pid,
      forced: options.force ?? null,
      worktree: displayPath(worktree),
      noCommit: options.noCommit,
    },
    task: { id: task.id, title: task.title },
    trigger: {
      request: task.request ?? null,
      actor: actorName(root, options.env),
      baseCommit,
      feedback: feedbackFor(root, task),
    },
    spec: spec
      ? {
          path: spec.file,
          blob:
            git(root, ['rev-parse', '--verify', '--quiet', `${baseCommit}:${spec.file}`], {
              allowFail: true,
            }).stdout.trim() || null,
          lastReview: spec.fields.last_review,
          approvalDigests: (spec.fields.approvals ?? []).map((a) => a.digest),
        }
      : null,
    steps: ROLES.map((role) => emptyStep(role, roles[role].raw)),
    commands: [],
    diff: null,
    review: null,
    result: { status: 'running', reason: null, error: null },
    heartbeat: { at: new Date().toISOString(), pid: process.pid },
    resumes: [],
    artifacts: [],
    redactions: 0,
  };
  const recorder = new RunRecorder(root, runDirOf(task.id, runId), manifest, redactor);
  recorder.save();
  recorder.event('run-started', { runId, taskId: task.id, baseCommit, forced: options.force ?? null });
  progress({ type: 'run', runId, taskId: task.id, dir: recorder.dir });
  // the lease is kept from the claim on: a running status slow to land (other writers) must not
  // let it run out
  const lease = keepLease(root, config, recorder);
  await writeBackRunning(root, config, manifest, progress);
  try {
    addWorktree(root, worktree, manifest.run.branch, baseCommit);
  } catch (e) {
    const { reason, error } = worktreeFailure(manifest.run.branch, e);
    const failed = finish(recorder, config.evidence, progress, 'failed', reason, error);
    return writeBackResult(root, config, failed, redactor, progress, lease);
  }
  recorder.event('worktree-added', { path: manifest.run.worktree, branch: manifest.run.branch });
  const done = await execute({
    root,
    config,
    task,
    spec,
    roles,
    recorder,
    redactor,
    worktree,
    env: options.env,
    signal: options.signal,
    noCommit: options.noCommit,
    progress,
    sandboxChoice,
  });
  return writeBackResult(root, config, done, redactor, progress, lease);
}

/** Continues a stalled run from its first unfinished step; finished steps are not redone. */
export async function resumeRun(options: {
  root: string;
  config: Config;
  dir: string;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  progress: (event: ProgressEvent) => void;
}): Promise<RunManifest> {
  const { root, config } = options;
  const manifest = RunRecorder.read(root, options.dir);
  const redactor = createRunRedactor(config, options.env);
  const progress = redacting(options.progress, redactor);
  const recorder = new RunRecorder(root, options.dir, manifest, redactor);
  const { index } = loadObservedIndex(root, config, 'full');
  const task = index.byId.get(manifest.task.id);
  if (!task)
    throw new NotFoundError(`task "${manifest.task.id}" of run ${manifest.run.id} is no longer in the index`);
  const spec = manifest.spec ? loadSpec(root, manifest.spec.path, config).spec : undefined;
  const roles = Object.fromEntries(
    manifest.steps.map((s) => [s.role, parseAdapterSpec(s.adapter)]),
  ) as Record<Role, AdapterSpec>;
  const worktree = worktreeDirOf(root, manifest.run.id);
  const sandboxChoice = chooseSandbox(config.sandbox, warnOnStderr);
  const first = manifest.steps.find((s) => s.status !== 'succeeded' && s.status !== 'skipped');
  manifest.resumes.push({ at: new Date().toISOString(), fromStep: first?.role ?? 'end', pid: process.pid });
  manifest.run.pid = process.pid;
  manifest.heartbeat = { at: new Date().toISOString(), pid: process.pid };
  // what the killed attempt started may still be running in the worktree: stop it first
  for (const pgid of manifest.run.children ?? []) killGroup(pgid, 'SIGKILL');
  manifest.run.children = [];
  manifest.result = { status: 'running', reason: null, error: null };
  for (const step of manifest.steps)
    if (step.status === 'running' || step.status === 'failed' || step.status === 'cancelled')
      Object.assign(step, emptyStep(step.role, step.adapter));
  recorder.save();
  recorder.event('run-resumed', { fromStep: first?.role ?? 'end' });
  progress({ type: 'run', runId: manifest.run.id, taskId: task.id, dir: recorder.dir });
  await writeBackRunning(root, config, manifest, progress);
  const ctx: RunContext = {
    root,
    config,
    task,
    spec,
    roles,
    recorder,
    redactor,
    worktree,
    env: options.env,
    signal: options.signal,
    noCommit: manifest.run.noCommit ?? false,
    progress,
    sandboxChoice,
  };
  const lease = keepLease(root, config, recorder);
  const done = restoreWorktree(ctx) ?? (await execute(ctx));
  return writeBackResult(root, config, done, redactor, progress, lease);
}

/** Brings a resumed run's worktree back; the finished manifest when that is impossible. */
function restoreWorktree(ctx: RunContext): RunManifest | undefined {
  const { root, worktree, recorder } = ctx;
  const { manifest } = recorder;
  if (existsSync(worktree)) return undefined;
  const builderDone = manifest.steps.some((s) => s.role === 'builder' && s.status === 'succeeded');
  if (builderDone && !branchExists(root, manifest.run.branch)) {
    return finish(recorder, ctx.config.evidence, ctx.progress, 'failed', 'WorktreeLost', {
      code: 'WorktreeLost',
      message: `the worktree and branch of run ${manifest.run.id} are gone; the builder's work cannot be recovered`,
    });
  }
  try {
    if (branchExists(root, manifest.run.branch))
      git(root, ['worktree', 'add', '--quiet', worktree, manifest.run.branch]);
    else addWorktree(root, worktree, manifest.run.branch, manifest.trigger.baseCommit);
  } catch (e) {
    const { reason, error } = worktreeFailure(manifest.run.branch, e);
    return finish(recorder, ctx.config.evidence, ctx.progress, 'failed', reason, error);
  }
  return undefined;
}

/** Keeps the run's claim (ref mode); a claim taken over is recorded as an event of the run. */
function keepLease(root: string, config: Config, recorder: RunRecorder): LeaseKeeper | undefined {
  const { task, run } = recorder.manifest;
  return LeaseKeeper.start(root, config, task.id, run.id, (message) => {
    recorder.event('claim-lost', { message });
    warnOnStderr(message);
  });
}

/** The task is running: its status says so (no evidence yet: the manifest keeps changing). */
async function writeBackRunning(
  root: string,
  config: Config,
  manifest: RunManifest,
  progress: (event: ProgressEvent) => void,
): Promise<void> {
  if (!config.gitops.write_back) return;
  const outcome = await writeBackRunStatus(root, config, manifest, 'running', { evidence: false });
  progress({ type: 'write-back', ...outcome });
}

/**
 * The run ended: its result becomes the task's phase, committed with all of the run's evidence.
 * Returns the manifest redacted: the status message is committed and the manifest is printed.
 */
async function writeBackResult(
  root: string,
  config: Config,
  raw: RunManifest,
  redactor: Redactor,
  progress: (event: ProgressEvent) => void,
  lease?: LeaseKeeper,
): Promise<RunManifest> {
  const manifest = redactJson(raw, redactor);
  await lease?.stop();
  // fenced: the watcher that took the claim over writes the task's status now, not this run
  if (!config.gitops.write_back || lease?.lost) return manifest;
  const { status, reason, error } = manifest.result;
  // the branch first: once the evidence is visible elsewhere, so is what it describes
  const branchWarning =
    status === 'review' && manifest.run.branch
      ? await shareRunBranch(root, config, manifest.run.branch)
      : undefined;
  const outcome = await writeBackRunStatus(root, config, manifest, status, {
    evidence: true,
    reason,
    message: status === 'failed' ? error?.message : undefined,
  });
  progress({ type: 'write-back', ...outcome, ...(branchWarning ? { branchWarning } : {}) });
  return manifest;
}

async function execute(ctx: RunContext): Promise<RunManifest> {
  const { recorder } = ctx;
  const timer = setInterval(() => recorder.heartbeat(), HEARTBEAT_MS);
  timer.unref();
  // what the steps must leave alone, compared after each: a change fails the run there
  const integrity = new IntegrityWatch(ctx.root, ctx.worktree, ctx.config.files.tasks);
  try {
    ctx.sandbox = sandboxOfRun(ctx.sandboxChoice, ctx.config.sandbox, ctx, ctx.env);
    for (const step of recorder.manifest.steps) {
      if (step.status === 'succeeded' || step.status === 'skipped') continue;
      if (ctx.signal.aborted)
        return finish(recorder, ctx.config.evidence, ctx.progress, 'cancelled', 'Cancelled', null, step);
      step.status = 'running';
      step.startedAt = new Date().toISOString();
      step.sandbox = ctx.sandbox.record();
      recorder.save();
      recorder.event('step-started', { role: step.role, adapter: step.adapter });
      ctx.progress({ type: 'step', role: step.role, status: 'running' });
      const started = performance.now();
      let outcome: StepOutcome;
      try {
        outcome = await STEPS[step.role](ctx, step);
      } catch (e) {
        const err = e as Error;
        const artifact = recorder.writeArtifact(`errors/${step.role}.txt`, err.stack ?? String(err));
        outcome = {
          status: 'failed',
          summary: err.message,
          error: { code: e instanceof CxoError ? e.name : 'InternalError', message: err.message, artifact },
        };
      }
      const changes = outcome.status === 'skipped' ? [] : integrity.check();
      if (changes.length > 0) outcome = integrityFailure(recorder, step.role, changes);
      else outcome = overRunBudget(ctx, step, outcome) ?? outcome;
      Object.assign(step, {
        // a skipped step ran nothing in it
        ...(outcome.status === 'skipped' ? { sandbox: null } : {}),
        ...outcome,
        endedAt: new Date().toISOString(),
        durationMs: Math.round(performance.now() - started),
      });
      recorder.save();
      recorder.event('step-finished', {
        role: step.role,
        status: step.status,
        summary: step.summary,
        error: step.error,
      });
      ctx.progress({ type: 'step', role: step.role, status: step.status, summary: step.summary });
      const status = step.status as StepRecord['status'];
      if (status === 'cancelled')
        return finish(recorder, ctx.config.evidence, ctx.progress, 'cancelled', 'Cancelled', null);
      if (status === 'failed') {
        return finish(
          recorder,
          ctx.config.evidence,
          ctx.progress,
          'failed',
          step.error?.code ?? 'StepFailed',
          step.error ?? { code: 'StepFailed', message: `${step.role} failed` },
        );
      }
    }
    const done = finish(recorder, ctx.config.evidence, ctx.progress, 'review', null, null);
    // success: the branch keeps the work, so the worktree goes; failures (and --no-commit runs,
    // whose changes live only in the worktree) keep it until `cxo runs clean`
    if (!ctx.noCommit) {
      removeWorktree(ctx.root, ctx.worktree);
      recorder.event('worktree-removed', {});
    }
    return done;
  } finally {
    clearInterval(timer);
  }
}

type StepOutcome = Partial<StepRecord> & Pick<StepRecord, 'status' | 'summary'>;

const STEPS: Record<Role, (ctx: RunContext, step: StepRecord) => Promise<StepOutcome>> = {
  async manager(ctx) {
    const { recorder, task } = ctx;
    if (ctx.roles.manager.adapter === 'none') {
      const plan = {
        summary: task.title,
        steps: [task.description || task.title],
        acceptance: [],
        files: task.paths ?? [],
        risks: [],
      };
      recorder.writeArtifact('plan.json', `${JSON.stringify(plan, null, 2)}\n`);
      return { status: 'skipped', summary: 'no manager: plan derived from the task' };
    }
    const result = await runAgent(ctx, 'manager');
    if (result.status !== 'succeeded') return agentOutcome(result);
    const planPath = join(recorder.absDir, 'plan.json');
    if (!existsSync(planPath))
      return {
        status: 'failed',
        summary: 'no plan.json',
        error: { code: 'InvalidPlan', message: 'the manager wrote no plan.json' },
      };
    let plan: unknown;
    try {
      plan = JSON.parse(readFileSync(planPath, 'utf8'));
    } catch (e) {
      return {
        status: 'failed',
        summary: 'plan.json is not JSON',
        error: { code: 'InvalidPlan', message: (e as Error).message },
      };
    }
    recorder.recordArtifact('plan.json');
    if (!validatePlan(plan)) {
      const problems = (validatePlan.errors ?? [])
        .map((e) => `${e.instancePath || '/'} ${e.message}`)
        .join('; ');
      return {
        status: 'failed',
        summary: 'plan.json does not match the plan schema',
        error: { code: 'InvalidPlan', message: problems },
      };
    }
    return { ...agentOutcome(result), summary: (plan as { summary: string }).summary };
  },

  async builder(ctx) {
    if (ctx.roles.builder.adapter === 'none') return { status: 'skipped', summary: 'no builder' };
    const result = await runAgent(ctx, 'builder');
    if (result.status !== 'succeeded') return agentOutcome(result);
    commitIfAllowed(ctx, 'builder');
    return agentOutcome(result);
  },

  async tester(ctx, step) {
    // the agent's model, usage and cost stay on the step, whose verdict is the acceptance commands'
    let agent: Pick<StepOutcome, 'model' | 'usage' | 'costUsd'> = {};
    if (ctx.roles.tester.adapter !== 'none') {
      const result = await runAgent(ctx, 'tester');
      if (result.status !== 'succeeded') return agentOutcome(result);
      commitIfAllowed(ctx, 'tester');
      const { model, usage, costUsd } = agentOutcome(result);
      agent = { model, usage, costUsd };
    }
    const plan = readPlan(ctx);
    const commands = [...new Set([...(ctx.task.acceptance ?? []), ...(plan?.acceptance ?? [])])];
    for (const [i, command] of commands.entries()) {
      const ok = await runCommand(ctx, 'tester', `acceptance-${i + 1}`, command);
      if (ok === 'cancelled') return { status: 'cancelled', summary: 'cancelled' };
      if (!ok) {
        return {
          status: 'failed',
          summary: `acceptance command failed: ${command}`,
          error: {
            code: 'AcceptanceFailed',
            message: `\`${command}\` failed (see commands in the manifest)`,
          },
        };
      }
    }
    step.adapter = ctx.roles.tester.raw;
    return {
      ...agent,
      status: 'succeeded',
      summary: commands.length ? `${commands.length} acceptance command(s) passed` : 'no acceptance commands',
    };
  },

  async reviewer(ctx) {
    const { recorder, config } = ctx;
    const diff = recordDiff(ctx);
    const sizes = new Map<string, number>();
    for (const f of diff.files) {
      const abs = join(ctx.worktree, f);
      if (existsSync(abs)) sizes.set(f, statSync(abs).size);
    }
    const tree = treeFindings(
      changedEntries(ctx.worktree, diff.baseCommit, diff.target),
      configuredHooksPath(ctx.root),
    );
    const review = staticReview({
      // the raw diff, every byte as text: the stored artifact is already redacted, and shows a
      // binary file (or one .gitattributes calls binary) only deflated
      patch: diff.textPatch,
      files: diff.files,
      sizes,
      taskPaths: ctx.task.paths ?? [],
      specCovers: ctx.spec?.fields.covers ?? [],
      maxFileBytes: config.review.max_file_bytes,
      secrets: ctx.redactor,
    });
    review.findings.push(...tree);
    recordIntegrity(
      recorder.manifest,
      'reviewer',
      tree.map((f) => ({ code: f.code as IntegrityChange['code'], file: f.file, message: f.message })),
    );
    let lint: { command: string; exitCode: number | null } | null = null;
    if (config.review.lint_command) {
      const ok = await runCommand(ctx, 'reviewer', 'lint', config.review.lint_command);
      if (ok === 'cancelled') return { status: 'cancelled', summary: 'cancelled' };
      lint = {
        command: config.review.lint_command,
        exitCode: recorder.manifest.commands.at(-1)?.exitCode ?? null,
      };
      if (!ok)
        review.findings.push({
          file: null,
          line: null,
          severity: 'error',
          message: `lint failed: ${config.review.lint_command}`,
        });
    }
    let agent: AgentResult | undefined;
    if (ctx.roles.reviewer.adapter !== 'none') {
      agent = await runAgent(ctx, 'reviewer');
      if (agent.status === 'cancelled') return { status: 'cancelled', summary: 'cancelled' };
      if (agent.status !== 'succeeded')
        review.findings.push({
          file: null,
          line: null,
          severity: 'error',
          message: `reviewer agent rejected the change: ${agent.summary}`,
        });
    }
    const errors = review.findings.filter((f) => f.severity === 'error').length;
    const doc = {
      score: errors === 0 ? 1 : Math.max(0, 1 - errors / 10),
      findings: review.findings,
      secret_leak: review.secretLeak,
      lint,
    };
    if (!validateReview(doc)) throw new Error('internal: review.json does not match its schema');
    recorder.writeArtifact('review.json', `${JSON.stringify(doc, null, 2)}\n`);
    recorder.manifest.review = {
      artifact: recorder.relPath('review.json'),
      score: doc.score,
      findings: doc.findings.length,
      secretLeak: doc.secret_leak,
    };
    // after the lint command and the reviewer agent, which run in the worktree
    if (review.secretLeak) purgeLeak(ctx, diff);
    if (errors > 0) {
      return {
        status: 'failed',
        summary: `${errors} review finding(s)`,
        error: {
          code: review.secretLeak ? 'SecretLeak' : (tree[0]?.code ?? 'ReviewFailed'),
          message: review.findings.find((f) => f.severity === 'error')!.message,
        },
      };
    }
    return {
      status: 'succeeded',
      summary: `${diff.files.length} file(s) changed, no blocking findings`,
      ...(agent
        ? { model: agent.model ?? null, usage: agent.usage ?? null, costUsd: agent.costUsd ?? null }
        : {}),
    };
  },
};

async function runAgent(ctx: RunContext, role: Role): Promise<AgentResult> {
  const { recorder } = ctx;
  const agent: Agent = createAgent(ctx.roles[role], { config: ctx.config, env: ctx.env });
  // the manager writes plan.json into the run directory
  const runSandbox = role === 'manager' ? ctx.sandbox!.with({ writable: [recorder.absDir] }) : ctx.sandbox!;
  const sandbox = agent.sandboxFor?.(runSandbox) ?? runSandbox;
  recorder.manifest.steps.find((s) => s.role === role)!.sandbox = sandbox.record();
  const specText = ctx.spec ? readFileSync(join(ctx.root, ctx.spec.file), 'utf8') : undefined;
  const agentsMdPath = join(ctx.worktree, 'AGENTS.md');
  const prompt = ctx.redactor.redact(
    assemblePrompt({
      role,
      task: ctx.task,
      specText,
      prdText: prdExcerpt(ctx.worktree, ctx.task),
      checklistItem: checklistContext(ctx.worktree, ctx.task),
      planText: recorder.hasArtifactFile('plan.json')
        ? readFileSync(join(recorder.absDir, 'plan.json'), 'utf8')
        : undefined,
      agentsMd: existsSync(agentsMdPath) ? readFileSync(agentsMdPath, 'utf8') : undefined,
      feedback: recorder.manifest.trigger.feedback,
    }),
  );
  const promptRel = recorder.writeArtifact(`prompts/${role}.md`, prompt);
  const transcript: string[] = [];
  const commands = new CommandOutcomes();
  const result = await agent.run({
    role,
    task: ctx.task,
    runId: recorder.manifest.run.id,
    prompt,
    promptFile: join(ctx.root, promptRel),
    planFile: join(recorder.absDir, 'plan.json'),
    workdir: ctx.worktree,
    outputDir: recorder.absDir,
    env: agentEnv(ctx),
    timeoutMs: ctx.config.timeouts.step_seconds * 1000,
    signal: ctx.signal,
    redactor: ctx.redactor,
    maxLogBytes: ctx.config.limits.max_log_bytes,
    onEvent: (event) => {
      transcript.push(JSON.stringify(event));
      commands.see(event);
    },
    onSpawn: (pid) => trackChild(ctx, pid),
    onExit: (pid) => untrackChild(ctx, pid),
    sandbox,
    ...runBudgetOf(ctx),
  });
  for (const a of result.artifacts)
    if (recorder.hasArtifactFile(a.name)) recorder.recordArtifact(a.name, a.truncated);
  const step = recorder.manifest.steps.find((s) => s.role === role)!;
  step.transcript = recorder.writeArtifact(
    `transcripts/${role}.ndjson`,
    transcript.length ? `${transcript.join('\n')}\n` : '',
  );
  const allFailed = result.status === 'succeeded' ? commands.allFailed() : undefined;
  if (allFailed)
    return {
      ...result,
      status: 'failed',
      summary: allFailed,
      error: { code: 'CommandsFailed', message: allFailed },
    };
  return result;
}

/** `budget.per_run_usd` and what the run's finished steps cost, for an adapter that stops at it. */
function runBudgetOf(ctx: RunContext): Pick<AgentContext, 'runBudget'> {
  const capUsd = ctx.config.budget.per_run_usd;
  return capUsd === undefined ? {} : { runBudget: { capUsd, spentUsd: runCostOf(ctx.recorder.manifest) } };
}

/**
 * A step whose cost took the run past `budget.per_run_usd` fails the run there (adapters that
 * cannot be stopped mid-step, e.g. Codex and Claude Code, are caught here, after the step).
 */
function overRunBudget(ctx: RunContext, step: StepRecord, outcome: StepOutcome): StepOutcome | undefined {
  const cap = ctx.config.budget.per_run_usd;
  if (cap === undefined || outcome.status === 'failed' || outcome.status === 'cancelled') return undefined;
  const spent = runCostOf({
    steps: [...ctx.recorder.manifest.steps.filter((s) => s !== step), { ...step, ...outcome }],
  });
  if (spent <= cap) return undefined;
  const message = `the run cost $${spent.toFixed(4)} after its ${step.role} step, over budget.per_run_usd ($${cap})`;
  return {
    ...outcome,
    status: 'failed',
    summary: message,
    error: { code: 'BudgetExceeded', message, artifact: null },
  };
}

/**
 * The process groups this run has alive, in the manifest: if the run itself is killed (-9),
 * `cxo cancel` and `cxo runs clean` can still kill what it started.
 */
function trackChild(ctx: RunContext, pid: number): void {
  const run = ctx.recorder.manifest.run;
  run.children = [...(run.children ?? []), pid];
  ctx.recorder.save();
}

function untrackChild(ctx: RunContext, pid: number): void {
  const run = ctx.recorder.manifest.run;
  run.children = (run.children ?? []).filter((p) => p !== pid);
  ctx.recorder.save();
}

function agentOutcome(result: AgentResult): StepOutcome {
  return {
    status: result.status,
    summary: result.summary,
    model: result.model ?? null,
    usage: result.usage ?? null,
    costUsd: result.costUsd ?? null,
    error: result.error ? { ...result.error, artifact: null } : null,
  };
}

/** Runs one command the orchestrator itself vouches for, recording it; false when it failed. */
async function runCommand(
  ctx: RunContext,
  role: string,
  name: string,
  command: string,
): Promise<boolean | 'cancelled'> {
  const { recorder } = ctx;
  const result = await runProcess({
    command,
    cwd: ctx.worktree,
    env: agentEnv(ctx),
    timeoutMs: ctx.config.timeouts.command_seconds * 1000,
    signal: ctx.signal,
    outputDir: join(recorder.absDir, 'commands'),
    name,
    maxLogBytes: ctx.config.limits.max_log_bytes,
    redactor: ctx.redactor,
    onSpawn: (pid) => trackChild(ctx, pid),
    sandbox: ctx.sandbox,
  });
  untrackChild(ctx, result.pid);
  const stdout = recorder.recordArtifact(`commands/${name}.stdout.log`, result.stdout.truncated);
  const stderr = recorder.recordArtifact(`commands/${name}.stderr.log`, result.stderr.truncated);
  recorder.manifest.commands.push({
    role,
    command,
    cwd: '.',
    exitCode: result.exitCode,
    signal: result.signal,
    durationMs: Math.round(result.durationMs),
    timedOut: result.timedOut,
    stdout,
    stderr,
    sandbox: ctx.sandbox!.record(),
  });
  recorder.save();
  recorder.event('command', {
    role,
    command,
    exitCode: result.exitCode,
    timedOut: result.timedOut,
    durationMs: result.durationMs,
  });
  ctx.progress({ type: 'command', command, exitCode: result.exitCode, durationMs: result.durationMs });
  if (result.cancelled) return 'cancelled';
  return result.exitCode === 0 && !result.timedOut;
}

function commitIfAllowed(ctx: RunContext, role: Role): void {
  if (ctx.noCommit) return;
  const { manifest } = ctx.recorder;
  const commit = commitWorktree(
    ctx.worktree,
    ctx.redactor.redact(`cxo(${ctx.task.id}): ${role} changes [${manifest.run.id}]`),
    {
      'Task-Id': ctx.task.id,
      'Run-Id': manifest.run.id,
    },
  );
  if (commit) ctx.recorder.event('commit', { role, commit });
}

/** The diff of a run: as recorded, and what the reviewer reads. */
type RunDiff = NonNullable<RunManifest['diff']> & {
  patch: string;
  /** The same diff with every file shown as text lines (binary ones too, attributes ignored). */
  textPatch: string;
  /** The commit or tree the diff was computed against. */
  target: string;
};

/** The diff git computes between the base commit and the worktree (committed or not), as evidence. */
function recordDiff(ctx: RunContext): RunDiff {
  const { recorder, worktree } = ctx;
  const base = recorder.manifest.trigger.baseCommit;
  // committed runs: exactly what the branch holds (files an acceptance command left behind are
  // not the change); --no-commit runs: the worktree as it is, staged
  const head = git(worktree, ['rev-parse', 'HEAD']).stdout.trim();
  let target = head;
  if (ctx.noCommit) {
    git(worktree, ['add', '--all']);
    target = git(worktree, ['write-tree']).stdout.trim();
  }
  const patch = git(worktree, ['diff', '--binary', '--no-color', '--no-ext-diff', base, target]).stdout;
  const artifact = recorder.writeArtifact('diff.patch', patch);
  const stat = diffStat(worktree, base, target);
  recorder.manifest.diff = { artifact, ...stat, baseCommit: base, headCommit: head === base ? null : head };
  recorder.save();
  const textPatch = git(worktree, [
    'diff',
    '--text',
    '--no-textconv',
    '--no-color',
    '--no-ext-diff',
    base,
    target,
  ]).stdout;
  return { ...recorder.manifest.diff, patch, textPatch, target };
}

/**
 * A leaked secret must not outlive the run in git: the run branch, the worktree and the objects
 * only they reach are deleted. The redacted diff stays as the evidence of what was built, as text
 * (a binary patch would keep the secret deflated, where no redactor sees it). Rewriting the branch
 * to a redacted commit instead would keep a commit nobody reviewed, and would keep the secret
 * whenever it is in a form the redactor does not know.
 */
function purgeLeak(ctx: RunContext, diff: RunDiff): void {
  const { manifest } = ctx.recorder;
  ctx.recorder.writeArtifact('diff.patch', diff.textPatch);
  const outcome = purgeRunObjects(ctx.root, {
    worktree: ctx.worktree,
    branch: manifest.run.branch,
    extraRoots: [diff.target],
  });
  ctx.recorder.event('secret-purged', { branch: manifest.run.branch, ...outcome });
}

/** Keeps the step's integrity findings in the manifest, where review refuses them. */
function recordIntegrity(manifest: RunManifest, step: StepRecord['role'], changes: IntegrityChange[]): void {
  if (changes.length === 0) return;
  const findings: IntegrityFinding[] = changes.map((c) => ({ step, ...c }));
  manifest.integrity = [...(manifest.integrity ?? []), ...findings];
}

/** A step that changed what it must leave alone fails, whatever it reported. */
function integrityFailure(
  recorder: RunRecorder,
  step: StepRecord['role'],
  changes: IntegrityChange[],
): StepOutcome {
  recordIntegrity(recorder.manifest, step, changes);
  recorder.event('integrity', { step, findings: changes });
  return {
    status: 'failed',
    summary: `${changes.length} integrity finding(s): ${changes[0].message}`,
    error: { code: changes[0].code, message: changes.map((c) => c.message).join('; ') },
  };
}

function readPlan(ctx: RunContext): { acceptance?: string[] } | undefined {
  const path = join(ctx.recorder.absDir, 'plan.json');
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as { acceptance?: string[] };
  } catch {
    return undefined;
  }
}

function agentEnv(ctx: RunContext): NodeJS.ProcessEnv {
  return scrubEnv(ctx.env, {
    passThrough: ctx.config.env.pass_through,
    set: { CI: '1', GIT_TERMINAL_PROMPT: '0' },
  });
}

function warnOnStderr(message: string): void {
  process.stderr.write(`cxo: warning: ${message}\n`);
}

function finish(
  recorder: RunRecorder,
  policy: EvidencePolicy,
  progress: (event: ProgressEvent) => void,
  status: RunManifest['result']['status'],
  reason: string | null,
  error: RunManifest['result']['error'],
  pending?: StepRecord,
): RunManifest {
  if (pending && pending.status === 'pending') pending.status = 'cancelled';
  recorder.manifest.result = { status, reason, error };
  recorder.event('run-finished', { status, reason, error });
  recorder.seal(policy);
  progress({ type: 'done', status, reason });
  return recorder.manifest;
}

/**
 * The request for changes a new run answers: the last request-changes sign-off in the manifest of
 * the task's previous run, else the status message.
 */
function feedbackFor(root: string, task: Task): RunManifest['trigger']['feedback'] {
  const status = task.status;
  if (status?.phase !== 'changes-requested' || !status.lastRun) return null;
  let signoff;
  try {
    const previous = status.lastRun.manifest
      ? (JSON.parse(readFileSync(join(root, status.lastRun.manifest), 'utf8')) as RunManifest)
      : undefined;
    signoff = previous?.signoffs?.filter((s) => s.decision === 'request-changes').at(-1);
  } catch {
    // the previous manifest is gone or damaged: the status message still says what to change
  }
  const message = signoff?.comment || status.message;
  return message ? { run: status.lastRun.id, by: signoff?.by ?? 'a reviewer', message } : null;
}

/** What people see while a run goes passes the redactor too, as everything written does. */
function redacting(
  progress: (event: ProgressEvent) => void,
  redactor: Redactor,
): (event: ProgressEvent) => void {
  return (event) => progress(redactJson(event, redactor));
}

function emptyStep(role: Role, adapter: string): StepRecord {
  return {
    role,
    adapter,
    model: null,
    status: 'pending',
    startedAt: null,
    endedAt: null,
    durationMs: null,
    usage: null,
    costUsd: null,
    summary: null,
    error: null,
    transcript: null,
  };
}
