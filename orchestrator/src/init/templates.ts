import { VERSION } from '../generated/version.js';
import { renderTemplate } from '../patterns/render-template.js';
import { ALLOWED_SIGNERS_FILE } from '../repo/allowed-signers.js';
import { specDigest } from '../repo/spec-digest.js';
import type { SpecFields } from '../repo/spec-types.js';

/** The files `cxo init` writes, for a repository whose test command is `testCommand`. */
export interface ScaffoldInput {
  today: string;
  author: string;
  testCommand: string;
}

export const AGENTS_SECTION_START = '<!-- codex-orchestrator:start -->';
export const AGENTS_SECTION_END = '<!-- codex-orchestrator:end -->';

const SPEC_BODY = `
# Example: greeting module

## Context
A small, reviewable change the orchestrator can run end to end. Replace this spec with a real one.

## Design
- Add a \`greet(name)\` function that returns \`Hello, <name>!\`.
- Keep it in \`src/greeting/\`; no other files change.

## Acceptance
- The project's tests pass.
- \`greet("Ada")\` returns \`Hello, Ada!\`.

## Risks
None: a new module with no callers yet.
`;

export function scaffoldFiles(input: ScaffoldInput): Record<string, string> {
  const fields: SpecFields = {
    id: 'example-greeting',
    title: 'Example: greeting module',
    status: 'approved',
    owners: [input.author],
    risk: 'low',
    last_review: input.today,
    covers: ['src/greeting/**'],
  };
  const digest = specDigest(fields, SPEC_BODY);
  const spec = `---
id: ${fields.id}
title: "${fields.title}"
status: approved
owners: [${JSON.stringify(input.author)}]
risk: low
last_review: ${input.today}
covers: ["src/greeting/**"]
approvals:
  - by: ${JSON.stringify(input.author)}
    role: owner
    at: ${input.today}
    digest: ${digest}
---${SPEC_BODY}`;

  const index = {
    $schema: './node_modules/codex-orchestrator/schemas/task-index.schema.json',
    version: 1,
    tasks: [
      {
        id: 'example-greeting',
        title: 'Add a greeting module',
        description: 'Example task created by `cxo init`. Request a run with `cxo request example-greeting`.',
        spec: 'specs/0001-example-greeting.md',
        prd: 'tasks/0001-prd-example.md',
        checklist: 'tasks/tasks-0001-example.md#1.1',
        priority: 'medium',
        labels: ['example'],
        acceptance: [input.testCommand],
        paths: ['src/greeting/**'],
      },
    ],
  };

  return {
    'codex.tasks.json': `${JSON.stringify(index, null, 2)}\n`,
    'specs/0001-example-greeting.md': spec,
    'tasks/0001-prd-example.md': renderTemplate('prd.md', {
      owners: JSON.stringify(input.author),
      today: input.today,
    }),
    'tasks/tasks-0001-example.md': renderTemplate('checklist.md'),
    'codex.config.yaml': `# codex-orchestrator configuration. Every key is optional (docs/file-formats.md lists the defaults).
# yaml-language-server: $schema=./node_modules/codex-orchestrator/schemas/config.schema.json
version: 1
base_branch: main
files:
  tasks: codex.tasks.json
  prds: ["tasks/[0-9][0-9][0-9][0-9]-prd-*.md"]
  checklists: ["tasks/tasks-[0-9][0-9][0-9][0-9]-*.md"]
  specs: ["specs/[0-9][0-9][0-9][0-9]*-*.md"]
# a spec's last_review may be at most this many days old (default 30; a spec's
# review_interval_days wins); the guard warns this many days before a spec goes stale
freshness:
  days: { low: 90, medium: 60, high: 30 }
  warn_days_before: 7
# approvals a spec needs before its tasks may run, by risk; require_signature (default for high):
# count only approvals committed with a signature by a key listed in .cxo/allowed_signers
approvals:
  low: { count: 0 }
  medium: { count: 1 }
  high: { count: 2, distinct_from_owners: true, require_signature: true }
# adapter per role: builtin, codex, claude, command:<cmd>, none
agents:
  manager: builtin
  builder: builtin
  tester: none
  reviewer: none
concurrency: 2
timeouts: { step_seconds: 1800, command_seconds: 600 }
redaction:
  patterns: []
# spec guard: severity per rule (error, warning, off), and the PR labels that override it
guard:
  rules: { freshness: error, approval: error, diff-coverage: error }
  require_spec: true
  override_labels: [spec-guard-override]
# where statuses, claims and run evidence go: ref keeps them on the state ref (refs/heads/cxo/state,
# shared through the remote), never on the branch people work on; inline commits them there
gitops:
  state: ref
`,
    [GUARD_WORKFLOW_PATH]: guardWorkflow(VERSION),
    [REVIEW_CHECKLIST_PATH]: renderTemplate('review-checklist.md'),
    [ALLOWED_SIGNERS_FILE]: `# Who may sign approvals and sign-offs (git's allowed-signers format, see ssh-keygen(1)):
# one line per SSH key, the approver's name first, e.g.
#   alice namespaces="git" ssh-ed25519 AAAAC3Nza... alice@example.com
# The spec guard reads this file from the pull request's base, so a change takes effect once merged.
`,
  };
}

export const GUARD_WORKFLOW_PATH = '.github/workflows/spec-guard.yml';

/**
 * The spec-guard workflow `cxo init` scaffolds. It runs the published CLI pinned to the version
 * that scaffolded it: that needs only Node and the npm registry, no action repository or tag to
 * name (docs/guard.md, "GitHub", compares it with the action).
 */
export function guardWorkflow(version: string): string {
  return `# Spec guard (codex-orchestrator): fails a pull request whose tasks' specs are stale or
# unapproved, or whose changed code no approved spec covers. Violations are annotated on the
# diff and listed in the job summary. Override with the pull request label spec-guard-override
# (codex.config.yaml: guard.override_labels); the override is logged in the job summary.
# To upgrade, change the version below. Reference: docs/guard.md in codex-orchestrator.
name: spec-guard
on:
  pull_request:
    # labeled/unlabeled: adding the override label re-runs the guard
    types: [opened, synchronize, reopened, labeled, unlabeled]
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  guard:
    runs-on: ubuntu-latest
    timeout-minutes: 10
    steps:
      - uses: actions/checkout@v6
        with:
          # the guard diffs the pull request against its base commit: it needs the history
          fetch-depth: 0
          persist-credentials: false
      - uses: actions/setup-node@v6
        with:
          node-version: 24
      - name: Spec guard
        env:
          # what the change started from: the pull request's base, or the commit before a push
          BASE: \${{ github.event.pull_request.base.sha || github.event.before }}
        run: |
          # a branch's first push has no before commit, and a force push's may be gone:
          # check freshness and approvals, skip diff coverage
          if [ "$GITHUB_EVENT_NAME" = push ] && ! git cat-file -e "$BASE^{commit}" 2>/dev/null; then BASE=; fi
          npx --yes codex-orchestrator@${version} guard --format github \${BASE:+--base "$BASE"}
`;
}

export const REVIEW_WORKFLOW_PATH = '.github/workflows/cxo-review.yml';

/**
 * The workflow `cxo init --github-review` scaffolds: a pull request review on a run branch
 * becomes that run's sign-off (`cxo review --from-github`), committed and pushed to the base
 * branch. Untrusted event fields reach the shell only through environment variables.
 */
export function reviewWorkflow(version: string): string {
  return `# Reviewer sign-off (codex-orchestrator): when someone approves or requests changes on a pull
# request from a run branch (codex/<task>/<run>), record it as the run's sign-off on the base
# branch: the task moves to done (its checklist item ticked) or to changes-requested (the
# review's text goes to the next run). Reference: docs/gitops.md in codex-orchestrator.
name: cxo-review
on:
  pull_request_review:
    types: [submitted, dismissed]
permissions:
  contents: write
  pull-requests: read
concurrency:
  # one sign-off at a time per base branch: each one commits to it
  group: cxo-review-\${{ github.event.pull_request.base.ref }}
  cancel-in-progress: false
jobs:
  sign-off:
    if: startsWith(github.event.pull_request.head.ref, 'codex/')
    runs-on: ubuntu-latest
    timeout-minutes: 10
    steps:
      - uses: actions/checkout@v6
        with:
          ref: \${{ github.event.pull_request.base.ref }}
          fetch-depth: 0
      - uses: actions/setup-node@v6
        with:
          node-version: 24
      - name: Record the review as a sign-off
        env:
          GITHUB_TOKEN: \${{ secrets.GITHUB_TOKEN }}
          PR: \${{ github.event.pull_request.number }}
          HEAD_REF: \${{ github.event.pull_request.head.ref }}
        run: |
          git config user.name "github-actions[bot]"
          git config user.email "41898282+github-actions[bot]@users.noreply.github.com"
          # an approval needs cxo verify to pass, which compares the run branch with the reviewed diff
          git fetch --no-tags origin "+refs/heads/$HEAD_REF:refs/heads/$HEAD_REF"
          npx --yes codex-orchestrator@${version} review --from-github "$PR" --push
`;
}

/** The AGENTS.md section between its markers (patterns/templates/agents-section.md). */
export function agentsSection(): string {
  return `${AGENTS_SECTION_START}\n${renderTemplate('agents-section.md')}${AGENTS_SECTION_END}\n`;
}

/** Where `cxo init` puts the reviewer's run-manifest checklist (patterns/templates/review-checklist.md). */
export const REVIEW_CHECKLIST_PATH = '.github/cxo-review-checklist.md';

/** The `.gitattributes` line that routes the task index through `cxo merge-driver`. */
export const GITATTRIBUTES_LINE = 'codex.tasks.json merge=codex-tasks';
