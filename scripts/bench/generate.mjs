// Renders the synthetic model (model.mjs) into one repository per tool and size:
//   <cache>/repos/cxo-<N>         codex.tasks.json + specs/NNNNN-task-N.md
//   <cache>/repos/cxo-state-<N>   the same in `gitops.state: ref` mode: statuses and run manifests
//                                 on refs/heads/cxo/state (git fast-import), none on main
//   <cache>/repos/taskmaster-<N>  .taskmaster/tasks/tasks.json (tagged format) + config/state
//   <cache>/repos/backlog-<N>     backlog/config.yml + backlog/tasks/task-N - Title.md
// Each is a git repository with one commit (on main; cxo-state has one more, on the state ref). A stamp file written last makes generation
// skippable when the same generator version, size and seed are already on disk.

import { specDigest } from '../../dist/repo/spec-digest.js';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { buildModel, EPOCH_MS, GENERATOR_VERSION, pad5, REVIEW_DATE } from './model.mjs';

const STAMP = '.bench-generated.json';

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'bench',
  GIT_AUTHOR_EMAIL: 'bench@example.invalid',
  GIT_COMMITTER_NAME: 'bench',
  GIT_COMMITTER_EMAIL: 'bench@example.invalid',
  GIT_AUTHOR_DATE: '2026-11-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2026-11-01T00:00:00Z',
};

function git(cwd, args) {
  const r = spawnSync('git', ['-c', 'core.hooksPath=/dev/null', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    env: { ...process.env, ...GIT_ENV },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${r.stderr}`);
  return r.stdout;
}

function write(root, rel, text) {
  const file = join(root, rel);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** Runs `render(root, model)` into a fresh directory unless the stamp already matches. */
function ensureRepo(root, kind, size, render) {
  const stamp = { generator: GENERATOR_VERSION, kind, size, seed: 20261101 + size };
  const stampFile = join(root, STAMP);
  if (existsSync(stampFile)) {
    try {
      const old = JSON.parse(readFileSync(stampFile, 'utf8'));
      if (JSON.stringify(old) === JSON.stringify(stamp)) return { root, generated: false };
    } catch {
      // regenerate
    }
  }
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const model = buildModel(size, stamp.seed);
  git(root, ['init', '-q', '-b', 'main']);
  render(root, model);
  // the stamp lives outside git's view so `git status` stays clean
  write(root, '.git/info/exclude', `${STAMP}\n`);
  git(root, ['add', '-A']);
  git(root, ['commit', '-q', '-m', `synthetic ${kind} data set, ${size} tasks`]);
  writeFileSync(stampFile, `${JSON.stringify(stamp)}\n`);
  return { root, generated: true };
}

// ---------------------------------------------------------------- codex-orchestrator

export const cxoId = (n) => `task-${pad5(n)}`;
export const cxoSpecPath = (n) => `specs/${pad5(n)}-task-${n}.md`;

function cxoTask(t) {
  const task = {
    id: cxoId(t.n),
    title: t.title,
    description: t.description,
    spec: cxoSpecPath(t.n),
  };
  if (t.deps.length) task.dependsOn = t.deps.map(cxoId);
  task.priority = t.priority;
  task.labels = t.kind ? [`area-${t.area}`, t.kind] : [`area-${t.area}`];
  task.acceptance = t.lint ? ['npm test', 'npm run lint'] : ['npm test'];
  if (t.requested) task.request = 'r1';
  if (t.requested) {
    const status = { phase: t.phase };
    if (t.phase === 'failed')
      Object.assign(status, { reason: 'AcceptanceFailed', message: 'npm test exited with code 1' });
    if (t.phase === 'blocked')
      Object.assign(status, { reason: 'WaitingForReview', message: 'needs a decision from the owner' });
    if (t.phase !== 'queued') status.observedRequest = 'r1';
    if (t.phase === 'done' || t.phase === 'review' || t.phase === 'failed') {
      status.lastRun = {
        id: `run-${pad5(t.n)}-1`,
        manifest: cxoManifestPath(t.n),
        result: t.phase === 'failed' ? 'failed' : 'succeeded',
      };
    }
    status.updatedAt = t.updatedAt;
    task.status = status;
  }
  return task;
}

const cxoManifestPath = (n) => `.runs/task-${pad5(n)}/run-${pad5(n)}-1/manifest.json`;

function cxoSpec(t) {
  const status = t.phase === 'done' ? 'done' : t.phase === 'cancelled' ? 'superseded' : 'approved';
  const [context, design, risks] = t.specBody;
  const body = `# Task ${t.n} design\n\n## Context\n${context}\n\n## Design\n${design}\n\n- Keep the change inside \`src/${t.area}/\`.\n- ${t.title}.\n\n## Acceptance\n- \`npm test\` passes.\n${t.lint ? '- `npm run lint` passes.\n' : ''}\n## Risks\n${risks}\n`;
  const fields = {
    id: `spec-${pad5(t.n)}`,
    title: `Task ${t.n} design`,
    risk: t.risk,
    owners: t.owners,
    covers: [`src/${t.area}/**`],
  };
  const front = [
    '---',
    `id: ${fields.id}`,
    `title: ${fields.title}`,
    `status: ${status}`,
    `owners: [${t.owners.join(', ')}]`,
    `risk: ${t.risk}`,
    `last_review: ${REVIEW_DATE}`,
    `covers: ["src/${t.area}/**"]`,
  ];
  if (status === 'approved') {
    // real approvals of this exact content, as many as the default config asks for the risk,
    // by people who do not own the spec, so the guard passes and does all of its work
    const digest = specDigest(fields, body);
    const approvers = ['reviewer-a', 'reviewer-b'].slice(0, t.risk === 'high' ? 2 : 1);
    front.push(
      'approvals:',
      ...approvers.flatMap((by) => [`  - by: ${by}`, `    at: ${REVIEW_DATE}`, `    digest: ${digest}`]),
    );
  }
  front.push('---');
  return `${front.join('\n')}\n${body}`;
}

/** Config that only widens freshness, so the fixed review date stays fresh for years; everything else is default. */
const CXO_CONFIG = `# bench data set: defaults, except review freshness wide enough that the fixed
# last_review date of the generated specs does not go stale as the calendar moves.
version: 1
freshness:
  days: { low: 36500, medium: 36500, high: 36500 }
`;

function renderCxo(root, model) {
  const index = { version: 1, tasks: model.tasks.map(cxoTask) };
  write(root, 'codex.tasks.json', `${JSON.stringify(index, null, 2)}\n`);
  write(root, 'codex.config.yaml', CXO_CONFIG);
  for (const t of model.tasks) write(root, cxoSpecPath(t.n), cxoSpec(t));
  // every run a status names has its manifest, as in a real repository (the guard checks them)
  for (const task of index.tasks) {
    const run = task.status?.lastRun;
    if (!run) continue;
    const manifest = {
      version: 1,
      run: { id: run.id },
      task: { id: task.id },
      result: { status: run.result },
    };
    write(root, run.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
  }
  writeProjectFiles(root, model);
}

/** The project the tasks are about: a module per area and a package.json whose tests pass. */
function writeProjectFiles(root, model) {
  const areas = new Set(model.tasks.map((t) => t.area));
  for (const area of areas) write(root, `src/${area}/index.ts`, `export const area = '${area}';\n`);
  write(
    root,
    'package.json',
    `${JSON.stringify({ name: 'bench-project', private: true, scripts: { test: 'true' } }, null, 2)}\n`,
  );
}

// ---------------------------------------------------------------- codex-orchestrator, `gitops.state: ref`

/** Earlier runs of every task on the state ref of the `cxo-state` data set. */
export const STATE_RUNS_PER_TASK = 10;
const STATE_REF = 'refs/heads/cxo/state';
const STATE_CONFIG = `${CXO_CONFIG}gitops: { state: ref }
`;

/** The state ref's shard of a task: as state-layout.ts, two hex digits of the sha256 of its id. */
export const stateShard = (id) => createHash('sha256').update(id).digest('hex').slice(0, 2);
export const stateRunId = (n, k) => `run-${pad5(n)}-${k}`;

/** What a run's manifest says on the state ref, in the shape `cxo run` writes it (run-manifest.schema.json). */
function stateManifest(task, t, k) {
  const runId = stateRunId(t.n, k);
  const dir = `.runs/${task.id}/${runId}`;
  const at = (ms) => new Date(EPOCH_MS + t.n * 60_000 + k * 3_600_000 + ms).toISOString();
  const last = k === STATE_RUNS_PER_TASK;
  const result = last && t.phase === 'failed' ? 'failed' : 'review';
  const sandbox = {
    mode: 'bwrap',
    reason: null,
    network: 'deny',
    limits: { memory_mb: 4096, memory_via: 'cgroup-v2', pids: 2048, pids_via: 'cgroup-v2' },
    note: null,
  };
  const step = (role, adapter, status, from, to, summary, transcript) => ({
    role,
    adapter,
    model: null,
    status,
    startedAt: at(from),
    endedAt: at(to),
    durationMs: to - from,
    usage: null,
    costUsd: null,
    summary,
    error: null,
    transcript,
    sandbox: role === 'manager' ? null : sandbox,
  });
  const digest = (s) => createHash('sha256').update(s).digest('hex');
  const artifact = (path, bytes) => ({ path: `${dir}/${path}`, sha256: digest(`${runId}/${path}`), bytes });
  const manifest = {
    version: 1,
    orchestrator: { version: '0.1.0', node: 'v20.20.2' },
    run: {
      id: runId,
      branch: `codex/${task.id}/${runId}`,
      createdAt: at(0),
      pid: 1000 + ((t.n * 7 + k) % 30000),
      forced: null,
      worktree: `~/.cache/codex-orchestrator/worktrees/bench/${runId}`,
      noCommit: false,
      children: [],
    },
    task: { id: task.id, title: task.title },
    trigger: {
      request: 'r1',
      actor: t.owners[0],
      baseCommit: digest(`base-${t.n}-${k}`).slice(0, 40),
      feedback: null,
    },
    spec: {
      path: task.spec,
      blob: digest(`spec-${t.n}`).slice(0, 40),
      lastReview: REVIEW_DATE,
      approvalDigests: [],
    },
    steps: [
      step('manager', 'none', 'skipped', 5, 8, 'no manager: plan derived from the task', null),
      step(
        'builder',
        'command:bench-builder',
        'succeeded',
        12,
        48_000,
        'exited 0 in 47.9 s',
        `${dir}/transcripts/builder.ndjson`,
      ),
      step(
        'tester',
        'none',
        'succeeded',
        48_010,
        51_000,
        `${task.acceptance.length} acceptance command(s) passed`,
        null,
      ),
      step('reviewer', 'none', 'succeeded', 51_010, 51_100, '1 file(s) changed, no blocking findings', null),
    ],
    commands: task.acceptance.map((command, i) => ({
      role: 'tester',
      command,
      cwd: '.',
      exitCode: result === 'failed' ? 1 : 0,
      signal: null,
      durationMs: 1400 + i,
      timedOut: false,
      stdout: `${dir}/commands/acceptance-${i + 1}.stdout.log`,
      stderr: `${dir}/commands/acceptance-${i + 1}.stderr.log`,
      sandbox,
    })),
    diff: {
      artifact: `${dir}/diff.patch`,
      files: [`src/${t.area}/index.ts`],
      insertions: 3 + (k % 5),
      deletions: 1,
      baseCommit: digest(`base-${t.n}-${k}`).slice(0, 40),
      headCommit: digest(`head-${t.n}-${k}`).slice(0, 40),
    },
    review: { artifact: `${dir}/review.json`, score: 1, findings: 0, secretLeak: false },
    result: { status: result, reason: result === 'failed' ? 'AcceptanceFailed' : null, error: null },
    heartbeat: { at: at(51_100), pid: 1000 + ((t.n * 7 + k) % 30000) },
    resumes: [],
    artifacts: [
      artifact('plan.json', 97),
      artifact('prompts/builder.md', 1288),
      artifact('agents/builder.stdout.log', 204_800),
      artifact('agents/builder.stderr.log', 0),
      artifact('transcripts/builder.ndjson', 231_012),
      ...task.acceptance.flatMap((_, i) => [
        artifact(`commands/acceptance-${i + 1}.stdout.log`, 412),
        artifact(`commands/acceptance-${i + 1}.stderr.log`, 0),
      ]),
      artifact('diff.patch', 311),
      artifact('review.json', 75),
    ],
    redactions: 0,
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/**
 * The state ref of the `cxo-state` data set, written with `git fast-import` as one commit: every
 * task's status block (the one the inline data set has; a task nobody requested gets
 * `{phase: pending}`) and STATE_RUNS_PER_TASK run manifests per task, the status's lastRun naming
 * the last one.
 */
function importStateRef(root, tasks, model) {
  const streamFile = join(root, '.git', 'state-import.stream');
  const fd = openSync(streamFile, 'w');
  const at = Math.floor(Date.parse('2026-11-01T00:00:00Z') / 1000);
  const chunks = [];
  let pending = 0;
  const flush = () => {
    writeSync(fd, Buffer.concat(chunks));
    chunks.length = 0;
    pending = 0;
  };
  const put = (text) => {
    const b = Buffer.from(text);
    chunks.push(b);
    pending += b.length;
    if (pending > 16 * 1024 * 1024) flush();
  };
  const file = (path, content) => {
    const data = Buffer.from(content);
    put(`M 100644 inline ${path}\ndata ${data.length}\n`);
    chunks.push(data, Buffer.from('\n'));
    pending += data.length + 1;
  };
  const message = `cxo-state: ${tasks.length} tasks, ${tasks.length * STATE_RUNS_PER_TASK} runs (bench data set)\n`;
  put(
    `commit ${STATE_REF}\ncommitter bench <bench@example.invalid> ${at} +0000\ndata ${Buffer.byteLength(message)}\n${message}`,
  );
  file('cxo-state.json', `${JSON.stringify({ format: 1 })}\n`);
  for (const [i, task] of tasks.entries()) {
    const t = model.tasks[i];
    const shard = stateShard(task.id);
    const status = task.status ? { ...task.status } : { phase: 'pending', updatedAt: t.updatedAt };
    if (status.lastRun) {
      const runId = stateRunId(t.n, STATE_RUNS_PER_TASK);
      status.lastRun = { ...status.lastRun, id: runId, manifest: `.runs/${task.id}/${runId}/manifest.json` };
    }
    file(`status/${shard}/${task.id}.json`, `${JSON.stringify(status)}\n`);
    for (let k = 1; k <= STATE_RUNS_PER_TASK; k++)
      file(`runs/${shard}/${task.id}/${stateRunId(t.n, k)}/manifest.json`, stateManifest(task, t, k));
  }
  put('\ndone\n');
  flush();
  closeSync(fd);
  const input = openSync(streamFile, 'r');
  try {
    const r = spawnSync('git', ['fast-import', '--quiet', '--done'], {
      cwd: root,
      stdio: [input, 'pipe', 'pipe'],
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`git fast-import failed in ${root}: ${r.stderr}`);
  } finally {
    closeSync(input);
    rmSync(streamFile, { force: true });
  }
}

/**
 * The inline data set as `gitops.state: ref` keeps it: the same tasks and specs on main, but no
 * status blocks and no `.runs/` there (`.runs/` ignored, as gitops.md asks); every status and run
 * manifest is on the state ref (importStateRef).
 */
function renderCxoState(root, model) {
  const tasks = model.tasks.map(cxoTask);
  const index = { version: 1, tasks: tasks.map(({ status: _status, ...desired }) => desired) };
  write(root, 'codex.tasks.json', `${JSON.stringify(index, null, 2)}\n`);
  write(root, 'codex.config.yaml', STATE_CONFIG);
  write(root, '.gitignore', '.runs/\n');
  for (const t of model.tasks) write(root, cxoSpecPath(t.n), cxoSpec(t));
  writeProjectFiles(root, model);
  importStateRef(root, tasks, model);
}

// ---------------------------------------------------------------- task-master-ai 0.43

const TM_STATUS = {
  pending: 'pending',
  queued: 'pending',
  running: 'in-progress',
  review: 'review',
  done: 'done',
  'changes-requested': 'in-progress',
  failed: 'pending',
  blocked: 'blocked',
  cancelled: 'cancelled',
};

/** As written by `task-master init -y` 0.43.1 (no API keys anywhere: keys would live in .env). */
const TM_CONFIG = {
  models: {
    main: { provider: 'anthropic', modelId: 'claude-sonnet-4-20250514', maxTokens: 64000, temperature: 0.2 },
    research: { provider: 'perplexity', modelId: 'sonar', maxTokens: 8700, temperature: 0.1 },
    fallback: {
      provider: 'anthropic',
      modelId: 'claude-3-7-sonnet-20250219',
      maxTokens: 120000,
      temperature: 0.2,
    },
  },
  global: {
    logLevel: 'info',
    debug: false,
    defaultNumTasks: 10,
    defaultSubtasks: 5,
    defaultPriority: 'medium',
    projectName: 'Task Master',
    ollamaBaseURL: 'http://localhost:11434/api',
    bedrockBaseURL: 'https://bedrock.us-east-1.amazonaws.com',
    responseLanguage: 'English',
    enableCodebaseAnalysis: true,
    enableProxy: false,
    anonymousTelemetry: true,
  },
  claudeCode: {},
  codexCli: {},
  grokCli: { timeout: 120000, workingDirectory: null, defaultModel: 'grok-4-latest' },
};

function renderTaskmaster(root, model) {
  // 0.43.1 itself writes ids and dependencies as strings and this metadata block (checked by
  // adding tasks with `task-master add-task --title ... --description ...` and reading the file).
  const tasks = model.tasks.map((t) => {
    const task = {
      id: String(t.n),
      title: t.title,
      description: t.description,
      details: t.details,
      testStrategy: t.lint ? 'npm test; npm run lint' : 'npm test',
      status: TM_STATUS[t.phase],
      dependencies: t.deps.map(String),
      priority: t.priority,
      subtasks: [],
    };
    if (t.requested) task.updatedAt = t.updatedAt;
    return task;
  });
  const data = {
    master: {
      tasks,
      metadata: {
        version: '1.0.0',
        lastModified: '2026-11-01T00:00:00.000Z',
        taskCount: tasks.length,
        completedCount: tasks.filter((t) => t.status === 'done').length,
        tags: ['master'],
      },
    },
  };
  write(root, '.taskmaster/tasks/tasks.json', `${JSON.stringify(data, null, 2)}`);
  write(root, '.taskmaster/config.json', `${JSON.stringify(TM_CONFIG, null, 2)}`);
  // migrationNoticeShown: true, or the first command after generation writes this file
  write(
    root,
    '.taskmaster/state.json',
    `${JSON.stringify({ currentTag: 'master', lastSwitched: '2026-11-01T00:00:00.000Z', branchTagMapping: {}, migrationNoticeShown: true }, null, 2)}`,
  );
}

// ---------------------------------------------------------------- Backlog.md 1.52

const BL_STATUS = {
  pending: 'To Do',
  queued: 'To Do',
  running: 'In Progress',
  review: 'In Progress',
  done: 'Done',
  'changes-requested': 'In Progress',
  failed: 'To Do',
  blocked: 'To Do',
  cancelled: 'Done',
};

export const backlogId = (n) => `TASK-${n}`;

/** As written by `backlog init --defaults --integration-mode none` 1.52.0, with remote_operations off (no remote exists). */
const BL_CONFIG = `project_name: "bench"
default_status: "To Do"
statuses: ["To Do", "In Progress", "Done"]
labels: []
date_format: yyyy-mm-dd
max_column_width: 20
auto_open_browser: true
default_port: 6420
remote_operations: false
auto_commit: false
filesystem_only: false
bypass_git_hooks: false
check_active_branches: true
active_branch_days: 30
task_prefix: "task"
`;

/** Backlog.md's file name: `task-N - <title with non-alphanumerics as '-'>.md`. */
export function backlogFile(t) {
  const slug = t.title.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return `backlog/tasks/task-${t.n} - ${slug}.md`;
}

function renderBacklogTask(t) {
  const created = `${t.updatedAt.slice(0, 10)} ${t.updatedAt.slice(11, 16)}`;
  const labels = t.kind ? [`area-${t.area}`, t.kind] : [`area-${t.area}`];
  const acs = t.lint ? ['npm test', 'npm run lint'] : ['npm test'];
  const done = t.phase === 'done';
  const lines = [
    '---',
    `id: ${backlogId(t.n)}`,
    `title: ${t.title}`,
    `status: ${BL_STATUS[t.phase]}`,
    'assignee: []',
    `created_date: '${created}'`,
  ];
  if (t.requested) lines.push(`updated_date: '${created}'`);
  lines.push('labels:', ...labels.map((l) => `  - ${l}`));
  if (t.deps.length) lines.push('dependencies:', ...t.deps.map((d) => `  - ${backlogId(d)}`));
  else lines.push('dependencies: []');
  // Backlog.md has high/medium/low only
  lines.push(
    `priority: ${t.priority === 'critical' ? 'high' : t.priority}`,
    `ordinal: ${t.n * 1000}`,
    '---',
    '',
  );
  lines.push(
    '## Description',
    '',
    '<!-- SECTION:DESCRIPTION:BEGIN -->',
    `${t.description} ${t.details}`,
    '<!-- SECTION:DESCRIPTION:END -->',
    '',
    '## Acceptance Criteria',
    '<!-- AC:BEGIN -->',
    ...acs.map((a, i) => `- [${done ? 'x' : ' '}] #${i + 1} ${a}`),
    '<!-- AC:END -->',
    '',
  );
  return lines.join('\n');
}

function renderBacklog(root, model) {
  write(root, 'backlog/config.yml', BL_CONFIG);
  for (const t of model.tasks) write(root, backlogFile(t), renderBacklogTask(t));
}

// ----------------------------------------------------------------

export const KINDS = {
  cxo: renderCxo,
  'cxo-state': renderCxoState,
  taskmaster: renderTaskmaster,
  backlog: renderBacklog,
};

/** Ensures the data set of one tool at one size; returns its root and whether it was (re)generated. */
export function ensureDataSet(cacheDir, kind, size) {
  return ensureRepo(join(cacheDir, 'repos', `${kind}-${size}`), kind, size, KINDS[kind]);
}
