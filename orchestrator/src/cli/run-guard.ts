import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidRepoError, UsageError } from '../errors.js';
import { changedFiles } from '../git/changed-files.js';
import { readTrustedSigners } from '../git/trusted-signers.js';
import { evaluateGuard } from '../guard/engine.js';
import { findOverride, recordOverride } from './guard-override.js';
import type { ManifestCheck } from '../guard/rules/index-consistency.js';
import { structureRule } from '../guard/rules/structure.js';
import type { GuardReport, Violation } from '../guard/types.js';
import { formatUtcDay, parseUtcDay, utcDayOf } from '../guard/utc-date.js';
import { loadRepo } from '../repo/load-repo.js';
import { checkManifestBytes, checkManifests } from '../repo/manifest-check.js';
import { cacheDirFor, ParseCache } from '../repo/parse-cache.js';
import { phaseOf } from '../repo/task-types.js';
import { proveSpecApprovals } from '../review/spec-approval-proofs.js';
import { overlayStatuses } from '../state/observed-index.js';
import { statePathOfRunFile, stateRefName, usesStateRef } from '../state/state-layout.js';
import { StateRef, type StateSnapshot } from '../state/state-ref.js';
import { readStatuses } from '../state/state-statuses.js';
import { openRepo } from './open-repo.js';

export interface GuardOptions {
  cwd: string;
  base?: string;
  head?: string;
  /** YYYY-MM-DD; default today in UTC. */
  now?: string;
  override?: string;
  cache: boolean;
  env: NodeJS.ProcessEnv;
}

/**
 * Reads everything the guard rules need (repo model, git range, manifests, overrides), runs
 * them, and records an override. Shared by `cxo guard` and the GitHub action.
 */
export async function runGuard(options: GuardOptions): Promise<{ report: GuardReport; root: string }> {
  const instant = new Date();
  const today = options.now === undefined ? utcDayOf(instant) : parseUtcDay(options.now);
  if (today === undefined)
    throw new UsageError(`--now "${options.now}" is not a real date`, 'use YYYY-MM-DD, e.g. 2026-11-21');
  if (options.head && !options.base) throw new UsageError('--head needs --base');
  const { root, config } = await openRepo(options.cwd);

  let violations: Violation[];
  let counts = { specs: 0, tasks: 0 };
  let range: GuardReport['range'];
  const notes: string[] = [];
  try {
    const model = await loadRepo(root, { cache: options.cache });
    // ref mode: the statuses (and the manifests they name) are the state ref's; pure loadRepo reads files only
    const state = usesStateRef(config) ? StateRef.open(root, config).snapshot() : undefined;
    if (state) {
      const { byTask, problems } = readStatuses(state);
      overlayStatuses(model.index, byTask);
      notes.push(...problems.map((p) => `ignored an invalid entry of ${stateRefName(config)}: ${p}`));
    }
    counts = { specs: model.specs.size, tasks: model.index.tasks.length };
    let changes: ReturnType<typeof changedFiles> | undefined;
    if (options.base) {
      changes = changedFiles(root, options.base, options.head ?? 'HEAD');
      range = { base: changes.base, head: changes.head, changedFiles: changes.changes.length };
    }
    const manifestPaths = model.index.tasks
      .filter((task) => phaseOf(task) === 'review' || phaseOf(task) === 'done')
      .map((task) => task.status?.lastRun?.manifest)
      .filter((path): path is string => path !== undefined);
    const cache = ParseCache.open<ManifestCheck>(options.cache ? cacheDirFor(root) : undefined, 'manifests');
    const manifests = checkManifests(root, manifestPaths, cache);
    if (state) checkStateManifests(state, manifests);
    // the signers a pull request could change are read from its base, never from the head checked
    const signers = readTrustedSigners(root, changes?.base);
    let approvalProofs;
    try {
      approvalProofs = proveSpecApprovals(root, model.specs.values(), config, signers);
    } finally {
      signers.dispose();
    }
    if (approvalProofs.size > 0 && !options.base)
      notes.push(
        'signed approvals were checked against .cxo/allowed_signers of HEAD; in CI pass --base so the checked commits cannot vouch for themselves',
      );
    violations = evaluateGuard({ model, today, changes: changes?.changes, manifests, approvalProofs });
  } catch (e) {
    // an index that cannot be parsed still gets a report: its syntax errors, under `structure`
    if (!(e instanceof InvalidRepoError)) throw e;
    violations = structureRule({ diagnostics: e.diagnostics });
  }

  const errors = violations.filter((v) => v.severity === 'error');
  const report: GuardReport = {
    version: 1,
    passed: errors.length === 0,
    now: formatUtcDay(today),
    ...(range ? { range } : {}),
    counts: { errors: errors.length, warnings: violations.length - errors.length, ...counts },
    violations,
    ...(notes.length ? { notes } : {}),
  };
  if (errors.length > 0) {
    const override = findOverride(root, {
      flag: options.override,
      head: options.head,
      labels: config.guard.override_labels,
      env: options.env,
      now: instant,
    });
    if (override) {
      recordOverride(root, override, errors, range?.head);
      report.passed = true;
      report.override = { ...override, violations: errors.length };
    }
  }
  return { report, root };
}

/** Writes the JSON report where a CI step can pick it up, and returns its path. */
export function writeGuardReport(report: GuardReport, env: NodeJS.ProcessEnv): string {
  const dir = env.RUNNER_TEMP || join(tmpdir(), 'codex-orchestrator');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `spec-guard-report-${process.pid}.json`);
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
  return path;
}

/** Manifests not in this checkout are read from the state ref (a run made in another clone). */
function checkStateManifests(state: StateSnapshot, manifests: Map<string, ManifestCheck>): void {
  const missing = [...manifests].filter(([, check]) => !check.exists).map(([path]) => path);
  const at = new Map(missing.map((path) => [path, statePathOfRunFile(path)]));
  const blobs = state.readMany([...at.values()].filter((p): p is string => p !== undefined));
  for (const [path, statePath] of at) {
    const bytes = statePath ? blobs.get(statePath) : undefined;
    if (bytes) manifests.set(path, checkManifestBytes(path, bytes));
  }
}
