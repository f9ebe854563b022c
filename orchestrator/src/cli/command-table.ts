/**
 * Every command and option, declared once. The parser, `--help` and the README's command
 * reference all come from this table. Handlers are imported lazily so a read command loads
 * only its own module (and never the agent, GitHub, MCP or listr2 code).
 */

export interface OptionSpec {
  name: string;
  short?: string;
  type: 'boolean' | 'string';
  multiple?: boolean;
  /** Placeholder shown in help, e.g. DIR. */
  value?: string;
  description: string;
}

export interface ArgSpec {
  name: string;
  required: boolean;
  description: string;
}

export interface CommandSpec {
  /** Words after `cxo`, e.g. `tasks list`. */
  name: string;
  summary: string;
  description?: string;
  args: ArgSpec[];
  options: OptionSpec[];
  examples: string[];
  load: () => Promise<{ default: CommandHandler }>;
}

export interface CommandContext {
  args: Record<string, string | undefined>;
  options: Record<string, string | boolean | string[] | undefined>;
  /** The directory given by --repo, else the current directory. */
  cwd: string;
  out: import('./output.js').Output;
}

export type CommandHandler = (ctx: CommandContext) => Promise<number>;

export const JSON_OPTION: OptionSpec = {
  name: 'json',
  type: 'boolean',
  description: 'print a JSON document instead of text',
};
const COMMIT_OPTION: OptionSpec = {
  name: 'commit',
  type: 'boolean',
  description: 'commit the changed file (only that file)',
};

const PUSH_OPTION: OptionSpec = {
  name: 'push',
  type: 'boolean',
  description: 'then fetch, rebase and push the branch with a lease (also: gitops.push in the config)',
};

const LIBRARY_OPTION: OptionSpec = {
  name: 'library',
  type: 'string',
  value: 'DIR',
  description: 'use the pattern library in DIR (a folder with index.json) instead of the built-in one',
};

export const GLOBAL_OPTIONS: OptionSpec[] = [
  { name: 'repo', short: 'C', type: 'string', value: 'DIR', description: 'run as if started in DIR' },
  { name: 'help', short: 'h', type: 'boolean', description: 'show help for the command' },
];

export const COMMANDS: CommandSpec[] = [
  {
    name: 'init',
    summary: 'scaffold the task index, an example task, PRD, checklist, spec, config and AGENTS.md section',
    description:
      "Adds the files the orchestrator reads to an existing git repository (outside one it exits 2 and writes nothing). Idempotent: it never overwrites a file and says what it skipped. Registers this cxo, by the absolute paths of its Node and its CLI, as git's merge driver for codex.tasks.json in .git/config, replacing a registration that cannot start.",
    args: [],
    options: [
      {
        name: 'github-review',
        type: 'boolean',
        description:
          'also scaffold .github/workflows/cxo-review.yml: pull request reviews of run branches become sign-offs',
      },
      JSON_OPTION,
    ],
    examples: ['cxo init', 'cxo init --repo ../my-service', 'cxo init --github-review'],
    load: () => import('./commands/init.js'),
  },
  {
    name: 'validate',
    summary: 'load and check every task, PRD, checklist, spec and the config',
    description:
      'Reports every problem, not just the first, as path:line:col with the offending line quoted. Exit 1 when there are errors. Also warns about control characters in titles, descriptions and checklist items, and about a registered merge driver that cannot start.',
    args: [],
    options: [JSON_OPTION, { name: 'strict', type: 'boolean', description: 'treat warnings as errors' }],
    examples: ['cxo validate', 'cxo validate --json'],
    load: () => import('./commands/validate.js'),
  },
  {
    name: 'tasks list',
    summary: 'list tasks with their phase, priority and dependencies',
    args: [],
    options: [
      JSON_OPTION,
      {
        name: 'phase',
        type: 'string',
        multiple: true,
        value: 'PHASE',
        description: 'only tasks in this phase (repeatable)',
      },
      { name: 'ready', type: 'boolean', description: 'only tasks that can be worked on now' },
      {
        name: 'label',
        type: 'string',
        multiple: true,
        value: 'LABEL',
        description: 'only tasks with this label (repeatable)',
      },
    ],
    examples: ['cxo tasks list', 'cxo tasks list --phase pending --ready', 'cxo tasks list --json'],
    load: () => import('./commands/tasks-list.js'),
  },
  {
    name: 'tasks show',
    summary: 'show one task, its dependencies and its spec',
    args: [{ name: 'id', required: true, description: 'task id' }],
    options: [JSON_OPTION],
    examples: ['cxo tasks show add-login-k3f9q'],
    load: () => import('./commands/tasks-show.js'),
  },
  {
    name: 'tasks next',
    summary: 'the highest-priority task whose dependencies are done and which is not running or done',
    args: [],
    options: [JSON_OPTION],
    examples: ['cxo tasks next', 'cxo tasks next --json'],
    load: () => import('./commands/tasks-next.js'),
  },
  {
    name: 'tasks add',
    summary: 'add a task with an id that cannot collide with one added on another branch',
    args: [],
    options: [
      JSON_OPTION,
      COMMIT_OPTION,
      { name: 'title', type: 'string', value: 'TEXT', description: 'task title (required)' },
      { name: 'id', type: 'string', value: 'ID', description: 'use this id instead of generating one' },
      { name: 'description', type: 'string', value: 'TEXT', description: 'what needs doing' },
      { name: 'spec', type: 'string', value: 'PATH', description: 'mini-spec that governs the task' },
      { name: 'prd', type: 'string', value: 'PATH', description: 'PRD the task comes from' },
      {
        name: 'checklist',
        type: 'string',
        value: 'REF',
        description: 'checklist item, e.g. tasks/tasks-0001-x.md#1.2',
      },
      {
        name: 'depends-on',
        type: 'string',
        multiple: true,
        value: 'ID',
        description: 'a task that must be done first (repeatable)',
      },
      {
        name: 'priority',
        type: 'string',
        value: 'P',
        description: 'critical, high, medium (default) or low',
      },
      { name: 'label', type: 'string', multiple: true, value: 'LABEL', description: 'label (repeatable)' },
      { name: 'owner', type: 'string', value: 'NAME', description: 'who owns the task' },
      {
        name: 'acceptance',
        type: 'string',
        multiple: true,
        value: 'CMD',
        description: 'command that proves it done (repeatable)',
      },
      {
        name: 'path',
        type: 'string',
        multiple: true,
        value: 'GLOB',
        description: 'files the task may change (repeatable)',
      },
    ],
    examples: [
      'cxo tasks add --title "Add login rate limit" --spec specs/0002-rate-limit.md --depends-on add-login-k3f9q',
    ],
    load: () => import('./commands/tasks-add.js'),
  },
  {
    name: 'request',
    summary: 'request a run of a task by setting its `request` field',
    description:
      'A run is due when `request` differs from the request the orchestrator last handled (status.observedRequest). Without --value the request becomes the current UTC time.',
    args: [{ name: 'id', required: true, description: 'task id' }],
    options: [
      JSON_OPTION,
      COMMIT_OPTION,
      {
        name: 'value',
        type: 'string',
        value: 'TEXT',
        description: 'request value to set (default: the current time)',
      },
    ],
    examples: ['cxo request add-login-k3f9q --commit'],
    load: () => import('./commands/request.js'),
  },
  {
    name: 'guard',
    summary: 'check that specs are fresh and approved, and that changed code comes with its spec',
    description:
      'Runs the spec-guard rules (docs/guard.md). Exit 0 when it passes or is overridden, 1 on violations, 2 on usage or configuration errors.',
    args: [],
    options: [
      {
        name: 'base',
        type: 'string',
        value: 'REF',
        description: 'check diff coverage of the changes since REF',
      },
      { name: 'head', type: 'string', value: 'REF', description: 'end of the range (default: HEAD)' },
      {
        name: 'now',
        type: 'string',
        value: 'DATE',
        description: 'evaluate freshness on this UTC date (YYYY-MM-DD; default: today)',
      },
      {
        name: 'format',
        type: 'string',
        value: 'FORMAT',
        description: 'text (default), json, or github (annotations, step summary, outputs)',
      },
      { name: 'json', type: 'boolean', description: 'same as --format json' },
      {
        name: 'override',
        type: 'string',
        value: 'REASON',
        description: 'pass despite violations; recorded in .runs/guard/overrides.jsonl',
      },
      { name: 'no-cache', type: 'boolean', description: 'do not read or write the parse cache' },
    ],
    examples: [
      'cxo guard',
      'cxo guard --base origin/main --format github',
      'cxo guard --override "hotfix, spec follows in #42"',
    ],
    load: () => import('./commands/guard.js'),
  },
  {
    name: 'spec new',
    summary: 'create a mini-spec from the template, numbered after the last one',
    args: [],
    options: [
      JSON_OPTION,
      COMMIT_OPTION,
      { name: 'title', type: 'string', value: 'TEXT', description: 'spec title (required)' },
      { name: 'id', type: 'string', value: 'ID', description: 'spec id (default: from the title)' },
      { name: 'risk', type: 'string', value: 'RISK', description: 'low, medium (default) or high' },
      {
        name: 'owner',
        type: 'string',
        multiple: true,
        value: 'NAME',
        description: 'owner (repeatable; default: git user.name)',
      },
      {
        name: 'covers',
        type: 'string',
        multiple: true,
        value: 'GLOB',
        description: 'code the spec governs (repeatable)',
      },
    ],
    examples: ['cxo spec new --title "Rate-limit logins" --risk high --covers "src/auth/**"'],
    load: () => import('./commands/spec-new.js'),
  },
  {
    name: 'spec review',
    summary: 'attest that you re-read a spec: sets last_review to today',
    args: [{ name: 'id', required: true, description: 'spec id or path' }],
    options: [
      JSON_OPTION,
      COMMIT_OPTION,
      { name: 'now', type: 'string', value: 'DATE', description: 'review date (default: today, UTC)' },
    ],
    examples: ['cxo spec review rate-limit --commit'],
    load: () => import('./commands/spec-review.js'),
  },
  {
    name: 'spec approve',
    summary: "approve a spec's current content: adds an approval with today's date and the current digest",
    description:
      'An approval signs the digest of the governing fields and the body; editing them later invalidates it until re-approved. When the approvals the risk requires are present, the status becomes approved. With an SSH signing key (gpg.format ssh, user.signingkey) the approver is the name .cxo/allowed_signers gives the key and --commit signs the commit; where approvals.<risk>.require_signature is on (high risk by default) only such approvals count.',
    args: [{ name: 'id', required: true, description: 'spec id or path' }],
    options: [
      JSON_OPTION,
      COMMIT_OPTION,
      {
        name: 'by',
        type: 'string',
        value: 'NAME',
        description: "approver without a signing key (default: git user.name); with one, only the key's name",
      },
      {
        name: 'role',
        type: 'string',
        value: 'ROLE',
        description: 'role the approver signs in, e.g. security',
      },
      { name: 'now', type: 'string', value: 'DATE', description: 'approval date (default: today, UTC)' },
    ],
    examples: ['cxo spec approve rate-limit --by grace --role security --commit'],
    load: () => import('./commands/spec-approve.js'),
  },
  {
    name: 'plan',
    summary:
      'what one reconcile pass would do: due tasks in dependency batches, blocked tasks and why, running tasks',
    description:
      'A task is due when its request differs from status.observedRequest and no run handles it. Batch 1 holds due tasks whose dependencies are done; later batches wait until the tasks they depend on are done (a run ends in review, so they start in a later pass, after approval). Blocked tasks show the reason: MissingSpec, InvalidSpec, StaleSpec, Unapproved, DependencyNotReady, DependencyFailed or DependencyCycle. Writes nothing. See docs/watch.md.',
    args: [],
    options: [
      JSON_OPTION,
      {
        name: 'concurrency',
        type: 'string',
        value: 'N',
        description: 'runs at a time within a batch (default: concurrency in the config)',
      },
    ],
    examples: ['cxo plan', 'cxo plan --json --concurrency 4'],
    load: () => import('./commands/plan.js'),
  },
  {
    name: 'watch',
    summary:
      'reconcile: watch the task index, specs and config and dispatch due tasks, mark blocked ones, resume stalled runs (--once: one pass)',
    description:
      'Takes the single-instance lock (.git/codex-orchestrator/watch.lock); a second watcher waits for it. Watches the task index, tasks/, specs/ and codex.config.yaml and runs a reconcile pass at start, after each change (debounced), after each run ends and after a --pull that moved the branch: commits a blocked status for each blocked due task, resumes stalled runs once, and starts the first batch of due tasks at most N at a time without waiting for them, each in a `cxo run` process of its own; each (task, request) is dispatched at most once (.git/codex-orchestrator/dispatched.ndjson). A request changed while its run is in flight is due again once that run ends. SIGINT/SIGTERM stop dispatching, give running runs 10 s, then cancel them, release the lock and exit 0; a second signal exits at once. With --once: one pass that waits for its runs; exit 0, or 1 when a run did not end in review or another watcher holds the lock. See docs/watch.md.',
    args: [],
    options: [
      { name: 'once', type: 'boolean', description: 'run one reconcile pass and exit (for cron or CI)' },
      {
        name: 'concurrency',
        type: 'string',
        value: 'N',
        description: 'runs at a time (default: concurrency in the config)',
      },
      {
        name: 'pull',
        type: 'string',
        value: 'SECONDS',
        description:
          "every SECONDS, git fetch and fast-forward the checked-out branch when the files it changes are clean, and pass again when the fetch brought another clone's writes to the shared state ref (not with --once)",
      },
      { name: 'json', type: 'boolean', description: 'print NDJSON events, one per line' },
    ],
    examples: [
      'cxo watch',
      'cxo watch --json --pull 60',
      'cxo watch --once',
      'cxo watch --once --json --concurrency 4',
    ],
    load: () => import('./commands/watch.js'),
  },
  {
    name: 'run',
    summary: 'run the manager, builder, tester and reviewer pipeline for one task now, in its own worktree',
    description:
      "Honours the dispatch gate (see cxo guard) unless --force. Records observed evidence in .runs/<task>/<run>/manifest.json. Each phase change (running, then review, failed or cancelled) is written back to the task's status block and committed on the current branch with the run's evidence, keeping your staged and uncommitted edits (gitops.write_back: false turns this off). Exit 0 when the run ends in review, 1 when it fails.",
    args: [{ name: 'task', required: true, description: 'task id' }],
    options: [
      JSON_OPTION,
      {
        name: 'role',
        type: 'string',
        multiple: true,
        value: 'ROLE=ADAPTER',
        description: 'adapter for a role, e.g. builder=command:make fix, manager=none (repeatable)',
      },
      { name: 'detach', type: 'boolean', description: 'start the run in the background and print its id' },
      {
        name: 'no-commit',
        type: 'boolean',
        description: "leave the builder's changes uncommitted in the worktree",
      },
      {
        name: 'force',
        type: 'string',
        value: 'REASON',
        description: 'run even if the dispatch gate says no; the reason is recorded',
      },
      { name: 'run-id', type: 'string', value: 'ID', description: 'use this run id (used by --detach)' },
      PUSH_OPTION,
    ],
    examples: [
      "cxo run add-login-k3f9q --role builder=command:'./scripts/fix.sh {task_id}'",
      'cxo run add-login-k3f9q --detach',
    ],
    load: () => import('./commands/run.js'),
  },
  {
    name: 'resume',
    summary: 'continue a stalled run from its first unfinished step',
    args: [{ name: 'run', required: true, description: 'run id' }],
    options: [JSON_OPTION],
    examples: ['cxo resume 20261121-093000-k3f9'],
    load: () => import('./commands/resume.js'),
  },
  {
    name: 'cancel',
    summary: 'stop a run: its process group is killed and the run is recorded as cancelled',
    args: [{ name: 'run', required: true, description: 'run id' }],
    options: [JSON_OPTION],
    examples: ['cxo cancel 20261121-093000-k3f9'],
    load: () => import('./commands/cancel.js'),
  },
  {
    name: 'verify',
    summary:
      'recompute every artifact hash of a run, check its branch, its diff and its sign-offs; exit 1 on any mismatch',
    args: [{ name: 'run', required: false, description: 'run id (default: every run)' }],
    options: [JSON_OPTION],
    examples: ['cxo verify', 'cxo verify 20261121-093000-k3f9'],
    load: () => import('./commands/verify.js'),
  },
  {
    name: 'review',
    summary: 'sign off a run waiting for review: approve it (task done) or request changes',
    description:
      "Records the decision in the run's manifest (who, when, the comment, the manifest digest signed) and commits the task's new status with it. --approve needs `cxo verify` to pass and, under a high-risk spec, a reviewer other than the task's author; it moves the task to done and ticks its checklist item citing the manifest. --request-changes moves it to changes-requested; the comment goes into the next run's prompt. With an SSH signing key that .cxo/allowed_signers lists, the status commit is signed and the sign-off carries the key's name; under a high-risk spec cxo verify and --merge count only such approvals.",
    args: [
      {
        name: 'target',
        required: false,
        description: 'run id (or a unique prefix), or a task id for its last run',
      },
    ],
    options: [
      { name: 'approve', type: 'boolean', description: 'approve the run: the task is done' },
      {
        name: 'request-changes',
        type: 'boolean',
        description: 'send the task back with feedback (needs -m)',
      },
      { name: 'message', short: 'm', type: 'string', value: 'MSG', description: 'the review comment' },
      {
        name: 'by',
        type: 'string',
        value: 'NAME',
        description:
          "who signs off without a signing key (default: git's user.name); with one, only the key's name",
      },
      {
        name: 'merge',
        type: 'boolean',
        description:
          'after approving, merge the run branch into the base branch (a merge commit with trailers)',
      },
      {
        name: 'from-github',
        type: 'string',
        value: 'PR',
        description:
          "record the pull request's standing review decision as the sign-off (GitHub login signs)",
      },
      PUSH_OPTION,
      JSON_OPTION,
    ],
    examples: [
      'cxo review 20261121-093000-k3f9 --approve --merge',
      'cxo review add-login-k3f9q --request-changes -m "handle the empty password"',
      'cxo review --from-github 42 --push',
    ],
    load: () => import('./commands/review.js'),
  },
  {
    name: 'pr',
    summary: "open or update the run's pull request on GitHub, with the tester's verdict as a commit status",
    description:
      'Pushes the run branch (with a lease), opens a pull request into the base branch or updates the open one (title from the task, body from the manifest: summary, steps, commands with exit codes, diff stats, review findings, a link to the manifest), adds github.labels, and sets the github.status_context commit status on the branch head. Needs a token in $GITHUB_TOKEN (github.token_env).',
    args: [
      {
        name: 'target',
        required: true,
        description: 'run id (or a unique prefix), or a task id for its last run',
      },
    ],
    options: [
      { name: 'draft', type: 'boolean', description: 'open the pull request as a draft' },
      JSON_OPTION,
    ],
    examples: ['cxo pr add-login-k3f9q', 'cxo pr 20261121-093000-k3f9 --draft'],
    load: () => import('./commands/pr.js'),
  },
  {
    name: 'push',
    summary:
      'share the branch: fetch, rebase onto what others pushed, push with a lease; retried with backoff',
    description:
      "Never forces over someone else's commit: the push carries a lease on the commit just fetched, and a refused push runs the whole cycle again (gitops.push_attempts times, with jittered backoff). The rebase merges the task index at task granularity (cxo merge-driver); your uncommitted edits are carried over, and the push stops before the branch moves if they are in the way.",
    args: [],
    options: [
      {
        name: 'remote',
        type: 'string',
        value: 'NAME',
        description: 'the remote (default gitops.remote: origin)',
      },
      {
        name: 'branch',
        type: 'string',
        value: 'BRANCH',
        description: 'the branch (default the checked-out one)',
      },
      JSON_OPTION,
    ],
    examples: ['cxo push', 'cxo push --remote upstream'],
    load: () => import('./commands/push.js'),
  },
  {
    name: 'runs list',
    summary: 'list runs, newest first, with task, status and age',
    args: [],
    options: [
      JSON_OPTION,
      { name: 'task', type: 'string', value: 'ID', description: 'only runs of this task' },
    ],
    examples: ['cxo runs list', 'cxo runs list --task add-login-k3f9q --json'],
    load: () => import('./commands/runs-list.js'),
  },
  {
    name: 'runs show',
    summary: 'show one run: steps, commands with exit codes, diff, review, result',
    args: [{ name: 'run', required: true, description: 'run id' }],
    options: [JSON_OPTION],
    examples: ['cxo runs show 20261121-093000-k3f9'],
    load: () => import('./commands/runs-show.js'),
  },
  {
    name: 'runs clean',
    summary: 'remove the worktrees of finished and stalled runs (run branches and evidence stay)',
    args: [],
    options: [JSON_OPTION, { name: 'dry-run', type: 'boolean', description: 'say what would be removed' }],
    examples: ['cxo runs clean'],
    load: () => import('./commands/runs-clean.js'),
  },
  {
    name: 'runs gc',
    summary: 'drop the artifact bytes of old runs by the evidence policy; manifests stay, verify says pruned',
    description:
      "Keeps every artifact of the newest --keep runs of each task (default evidence.gc.keep, 5) and of every run younger than --older-than (default evidence.gc.older_than_days, 30d); of the other runs it removes the artifacts' bytes from .runs/ and records them in the run's pruned.json (path, hash, size, when), leaving manifest.json as it was, so its sign-offs stay valid and `cxo verify` reports those artifacts as pruned (exit 0) rather than missing. In ref mode it first copies the state ref's runs of other clones, then removes the files from the runs' folders on the state ref (one update, pushed when shared) and deletes their refs/cxo/evidence/<task>/<run> here and on the remote. A running run is never pruned, nor one waiting for review unless --include-review. See docs/runs.md.",
    args: [],
    options: [
      JSON_OPTION,
      {
        name: 'keep',
        type: 'string',
        value: 'N',
        description: 'newest runs per task that keep their artifacts',
      },
      {
        name: 'older-than',
        type: 'string',
        value: 'AGE',
        description: 'prune only runs older than AGE: 90m, 12h, 30d, 2w',
      },
      {
        name: 'include-review',
        type: 'boolean',
        description: 'also prune runs waiting for review (no sign-off yet)',
      },
      { name: 'dry-run', type: 'boolean', description: 'say what would be pruned; write nothing' },
    ],
    examples: ['cxo runs gc --dry-run', 'cxo runs gc --keep 1 --older-than 7d'],
    load: () => import('./commands/runs-gc.js'),
  },
  {
    name: 'state show',
    summary: "the state ref's tip, statuses by phase, claims and runs",
    description:
      "Reads the state ref (gitops.state_ref, default refs/heads/cxo/state) from git objects as this clone last saw it: the local ref, or the remote's as last fetched when that is ahead (`git fetch` first for the newest). Prints its tip, the number of commits, the tasks with a status by phase, the claims (and how many hold a live lease), the runs whose evidence it holds, and the entries every reader ignores because they are not valid. See docs/gitops.md.",
    args: [],
    options: [JSON_OPTION],
    examples: ['cxo state show', 'cxo state show --json'],
    load: () => import('./commands/state-show.js'),
  },
  {
    name: 'state migrate',
    summary: 'move an inline repository to gitops.state: ref without losing a status or a run',
    description:
      "Copies to the state ref every task's status block, every run's evidence under .runs/ and every dispatch of this clone's ledger that it does not have yet (one compare-and-swap update, pushed when the state is shared; a status the state ref has already is kept), then makes one commit on the current branch: gitops.state: ref in codex.config.yaml (comments kept), .runs/ in .gitignore, and .runs/ no longer tracked (the files stay on disk). Refuses, writing nothing, while a run is in progress, on a detached HEAD, or when codex.config.yaml or .gitignore has uncommitted changes. Running it again copies only what is missing. See docs/gitops.md.",
    args: [],
    options: [
      JSON_OPTION,
      {
        name: 'dry-run',
        type: 'boolean',
        description: 'say what would be copied and committed; write nothing',
      },
      PUSH_OPTION,
    ],
    examples: ['cxo state migrate --dry-run', 'cxo state migrate --push'],
    load: () => import('./commands/state-migrate.js'),
  },
  {
    name: 'status',
    summary: "the state of one run (or of every task's last run); --watch polls until it ends",
    args: [{ name: 'run', required: false, description: 'run id' }],
    options: [
      JSON_OPTION,
      { name: 'watch', type: 'boolean', description: 'poll every second until the run ends' },
    ],
    examples: ['cxo status', 'cxo status 20261121-093000-k3f9 --watch'],
    load: () => import('./commands/status.js'),
  },
  {
    name: 'import',
    summary: 'bring in tasks from DevOnboarder, Kbediako CO, task-master or an ai-dev-tasks checklist',
    description:
      'Dry run by default: shows the diff it would make to the task index and the documents it would copy, after the same checks as --write. --write applies it.',
    args: [{ name: 'file', required: true, description: 'file to import' }],
    options: [
      JSON_OPTION,
      {
        name: 'from',
        type: 'string',
        value: 'FORMAT',
        description: 'devonboarder, co-index, taskmaster or checklist (required)',
      },
      {
        name: 'write',
        type: 'boolean',
        description: 'write the task index (and copied documents) instead of showing the diff',
      },
    ],
    examples: [
      'cxo import --from taskmaster .taskmaster/tasks/tasks.json',
      'cxo import --from checklist tasks/tasks-0001-auth.md --write',
    ],
    load: () => import('./commands/import.js'),
  },
  {
    name: 'patterns list',
    summary: 'list the learning library: codemods, lint rules and templates',
    args: [],
    options: [JSON_OPTION, LIBRARY_OPTION],
    examples: ['cxo patterns list', 'cxo patterns list --json'],
    load: () => import('./commands/patterns-list.js'),
  },
  {
    name: 'patterns show',
    summary: "show one pattern: what it does, its options and its before/after examples (a template's text)",
    args: [{ name: 'id', required: true, description: 'pattern id' }],
    options: [JSON_OPTION, LIBRARY_OPTION],
    examples: ['cxo patterns show console-to-logger', 'cxo patterns show review-checklist'],
    load: () => import('./commands/patterns-show.js'),
  },
  {
    name: 'patterns apply',
    summary: 'apply a codemod or lint rule (its autofix) to the files of a directory and print the diff',
    description:
      'Walks the JavaScript and TypeScript files under the directory (--repo, default the current one; in a git work tree the files git lists, honouring .gitignore; never node_modules, .git, .runs or dist), applies the pattern, prints the unified diff on stdout and a summary on stderr, and writes each changed file atomically. A file that does not parse is reported with its position and skipped. Exit 0 when files changed (or would, with --dry-run), 1 when the pattern made no changes, 2 on usage errors. See docs/patterns.md.',
    args: [{ name: 'id', required: true, description: 'pattern id' }],
    options: [
      { name: 'dry-run', type: 'boolean', description: 'print the diff, write nothing' },
      {
        name: 'option',
        type: 'string',
        multiple: true,
        value: 'KEY=VALUE',
        description: "set one of the pattern's options (repeatable)",
      },
      JSON_OPTION,
      LIBRARY_OPTION,
    ],
    examples: [
      'cxo patterns apply buffer-constructor --repo ../my-service --dry-run',
      'cxo patterns apply console-to-logger --option logger=log --option module=#log',
      'cxo patterns apply error-cause --dry-run | git apply --check',
    ],
    load: () => import('./commands/patterns-apply.js'),
  },
  {
    name: 'model-server',
    summary: 'serve a scripted model (Responses, Chat Completions, Anthropic Messages) for tests and demos',
    description:
      'Plays a scenario file (docs/model-server.md) on 127.0.0.1: the script is chosen by the prompt, the step by the assistant actions in the replayed history. Prints "model server listening on URL" (URL ends in /v1) and runs until SIGINT or SIGTERM. Every request is logged; --log also appends them to a file as NDJSON.',
    args: [],
    options: [
      { name: 'scenario', type: 'string', value: 'FILE', description: 'the scenario YAML file (required)' },
      { name: 'port', type: 'string', value: 'N', description: 'port to listen on (default: a free one)' },
      { name: 'log', type: 'string', value: 'FILE', description: 'append every request to FILE as NDJSON' },
      JSON_OPTION,
    ],
    examples: [
      'cxo model-server --scenario scenarios/demo.yaml',
      'cxo model-server --scenario scenarios/demo.yaml --port 8787 --log requests.ndjson --json',
    ],
    load: () => import('./commands/model-server.js'),
  },
  {
    name: 'eval run',
    summary: 'run evaluation scenarios in temporary repositories and report what the pipeline resolved',
    description:
      'Each scenario of evaluation/scenarios/ (docs/eval.md) gets a temporary git repository (a fixture, or a published npm package at an exact version), its setup commands, the injected bug, a baseline test run, the real `cxo run` pipeline (scripted model, pattern or command), and a grading: full, partial, none, or error when it could not be evaluated. Results and logs go to .runs/eval/<eval-id>/ (report.json, report.md, <scenario>/result.json). Compared with --compare, else evaluation/baseline.json when present. Exit 0 when every scenario ran and nothing regressed, 1 on a regression or a scenario error, 2 on usage or scenario file errors.',
    args: [],
    options: [
      {
        name: 'scenario',
        type: 'string',
        multiple: true,
        value: 'ID',
        description: 'only this scenario (repeatable; default: all)',
      },
      { name: 'concurrency', type: 'string', value: 'N', description: 'scenarios at a time (default 1)' },
      {
        name: 'report',
        type: 'string',
        value: 'DIR',
        description: 'also write report.json and report.md to DIR',
      },
      {
        name: 'compare',
        type: 'string',
        value: 'REPORT',
        description: 'compare with this report.json or eval id (default: evaluation/baseline.json)',
      },
      {
        name: 'timeout',
        type: 'string',
        value: 'SECONDS',
        description: "each scenario's time limit, over its timeout_seconds",
      },
      {
        name: 'provider',
        type: 'string',
        value: 'P',
        description:
          "scripted (default: the scenario's model script) or real (scenarios with real_provider use your builtin endpoint and key)",
      },
      {
        name: 'role',
        type: 'string',
        multiple: true,
        value: 'ROLE=ADAPTER',
        description: "override a role in every scenario's run (repeatable)",
      },
      {
        name: 'keep',
        type: 'boolean',
        description: 'keep the temporary repositories (paths in the results)',
      },
      JSON_OPTION,
    ],
    examples: [
      'cxo eval run',
      'cxo eval run --scenario minimist-negated-flags --compare evaluation/baseline.json',
      'cxo eval run --concurrency 2 --report eval-report',
    ],
    load: () => import('./commands/eval-run.js'),
  },
  {
    name: 'eval report',
    summary: 'render a stored evaluation as markdown (the latest without an argument)',
    args: [
      {
        name: 'evaluation',
        required: false,
        description: 'eval id (or a unique prefix), or the path of a report.json',
      },
    ],
    options: [
      {
        name: 'compare',
        type: 'string',
        value: 'REPORT',
        description: 'compare with this report.json or eval id instead of the stored comparison',
      },
      JSON_OPTION,
    ],
    examples: [
      'cxo eval report',
      'cxo eval report eval-20261121T093000Z-k3f9qa --compare evaluation/baseline.json',
    ],
    load: () => import('./commands/eval-report.js'),
  },
  {
    name: 'merge-driver',
    summary: 'merge codex.tasks.json task by task (called by git, not by people)',
    description:
      'A git merge driver, called by git, not by people: `cxo init` registers it for codex.tasks.json. Matches tasks by id, merges human-owned fields one by one, keeps the status of the newer run, and writes the result into OURS keeping its formatting. Exit 0 when clean, 1 when conflicts remain (marked with <<<<<<< ours / >>>>>>> theirs), 2 on usage errors.',
    args: [
      { name: 'base', required: true, description: 'common ancestor version (%O)' },
      { name: 'ours', required: true, description: 'our version (%A); the result is written here' },
      { name: 'theirs', required: true, description: 'their version (%B)' },
    ],
    options: [],
    examples: [
      `git config merge.codex-tasks.driver "'$(command -v node)' '/path/to/codex-orchestrator/dist/bin/cxo.js' merge-driver %O %A %B"`,
    ],
    load: () => import('./commands/merge-driver.js'),
  },
];

/** Group words that only introduce subcommands. */
export const GROUPS: Record<string, string> = {
  tasks: 'work with the task index',
  spec: 'create, review and approve mini-specs',
  runs: 'list, show and clean up runs',
  state: 'the state ref: statuses, claims and run evidence (gitops.state: ref)',
  patterns: 'the learning library: list, show and apply codemods, lint rules and templates',
  eval: 'evaluate the pipeline on sample repositories',
};
