import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { InvalidRepoError, OperationError } from '../errors.js';
import { commitTreeAs } from '../git/commit-tree.js';
import { git } from '../git/git.js';
import { personIdentity } from '../git/person.js';
import { treeWith, type TreeEntry } from '../git/tree-build.js';
import { writeFileAtomic } from '../repo/atomic-write.js';
import { CONFIG_FILE, type Config } from '../repo/config.js';
import { hasErrors, sortDiagnostics } from '../repo/diagnostics.js';
import { loadTaskIndex } from '../repo/repo-files.js';
import { DispatchLedger } from '../reconcile/dedupe.js';
import type { RunManifest } from '../runs/manifest-types.js';
import { runCostOf } from '../runs/run-cost.js';
import { listRunDirs, listRuns } from '../runs/run-index.js';
import { RunRecorder } from '../runs/run-recorder.js';
import { spentWrites, utcDayText } from './cost-ledger.js';
import { runEvidenceWrites } from './run-evidence.js';
import { withRunsIgnored } from './runs-ignored.js';
import { parseClaims, serializeClaims, type StateClaim } from './state-claims.js';
import { claimPathOf, stateRunDirOf } from './state-layout.js';
import { StateRef, type StateSnapshot, type StateWrite, writeBlobs } from './state-ref.js';
import { readStatuses, statusWrite } from './state-statuses.js';

export interface MigrationReport {
  /** Task statuses copied to the state ref. */
  statuses: number;
  /** Tasks whose status the state ref had already (it wins: it is the newer observed state). */
  kept: number;
  /** Runs whose evidence was copied. */
  runs: number;
  /** Dispatches of this clone's ledger recorded as claims. */
  claims: number;
  /** The state commit written (undefined when nothing needed copying, or on a dry run). */
  stateCommit?: string;
  /** Whether the config said `gitops.state: inline` (or nothing) and now says `ref`. */
  configChanged: boolean;
  /** Files of `.runs/` the branch stops tracking (they stay on disk and on the state ref). */
  untracked: number;
  /** The branch commit of the config and `.gitignore` change. */
  commit?: string;
  dryRun: boolean;
}

const GITIGNORE = '.gitignore';
const LITERAL = { GIT_LITERAL_PATHSPECS: '1' };

/**
 * `cxo state migrate`: moves an inline repository to `gitops.state: ref` without losing a status
 * or a run. First the state ref gets every task's status block, every run's evidence and every
 * dispatch of this clone's ledger it does not have yet (one compare-and-swap update, so a rerun
 * after a failure copies only what is missing); then one commit on the current branch sets
 * `gitops.state: ref`, adds `.runs/` to `.gitignore` and stops tracking `.runs/` (the files stay
 * on disk). Refuses, writing nothing, while a run is in progress or when the config or
 * `.gitignore` has uncommitted changes. The status blocks stay in the index: readers prefer the
 * state ref's, and people may remove them at leisure.
 */
export async function migrateToStateRef(options: {
  root: string;
  config: Config;
  dryRun?: boolean;
}): Promise<MigrationReport> {
  const { root, config } = options;
  const dryRun = options.dryRun ?? false;
  const running = listRuns(root).find((r) => r.manifest.result.status === 'running' && !r.stalled);
  if (running)
    throw new OperationError(
      `run ${running.manifest.run.id} of task ${running.manifest.task.id} is in progress`,
      `wait for it to end (or \`cxo cancel ${running.manifest.run.id}\`), then migrate`,
    );
  const branch = git(root, ['symbolic-ref', '-q', 'HEAD'], { allowFail: true }).stdout.trim();
  if (!branch)
    throw new OperationError('HEAD is detached', 'check out the branch people work on, then migrate');
  const dirty = git(root, ['status', '--porcelain', '-z', '--', CONFIG_FILE, GITIGNORE], { set: LITERAL })
    .stdout.split('\0')
    .filter(Boolean)
    .map((r) => r.slice(3));
  if (dirty.length)
    throw new OperationError(
      `${dirty.join(' and ')} ${dirty.length > 1 ? 'have' : 'has'} uncommitted changes`,
      'commit or stash them, then migrate (the migration commits these files)',
    );
  const { index, diagnostics } = loadTaskIndex(root, config, 'full');
  if (hasErrors(diagnostics))
    throw new InvalidRepoError(`${config.files.tasks} is invalid`, sortDiagnostics(diagnostics));

  const state = StateRef.open(root, config);
  const report: MigrationReport = {
    statuses: 0,
    kept: 0,
    runs: 0,
    claims: 0,
    configChanged: false,
    untracked: 0,
    dryRun,
  };
  const ledger = new DispatchLedger(root).all();
  const compute = async (snapshot: StateSnapshot): Promise<StateWrite[]> => {
    const writes: StateWrite[] = [];
    const onState = readStatuses(snapshot).byTask;
    Object.assign(report, { statuses: 0, kept: 0, runs: 0, claims: 0 });
    for (const task of index.tasks) {
      if (!task.status) continue;
      if (onState.has(task.id)) report.kept++;
      else {
        writes.push(statusWrite(task.id, task.status));
        report.statuses++;
      }
    }
    const costs: Parameters<typeof spentWrites>[1][number][] = [];
    for (const dir of listRunDirs(root)) {
      const [, taskId, runId] = dir.split('/');
      if (snapshot.treeOf(stateRunDirOf(taskId, runId))) continue;
      // a dry run pins no evidence ref and pushes nothing
      if (!dryRun)
        writes.push(
          ...(await runEvidenceWrites(root, taskId, runId, {
            inlineMaxBytes: config.evidence.inline_max_bytes,
            remote: state.remote,
          })),
        );
      report.runs++;
      const manifest = readManifest(root, dir);
      // what the runs spent before the migration counts against the caps after it
      if (manifest)
        costs.push({
          day: utcDayText(new Date(manifest.run.createdAt)),
          task: taskId,
          runId,
          usd: runCostOf(manifest),
        });
    }
    if (costs.length) writes.push(...spentWrites(snapshot, costs, new Date()));
    const byTask = new Map<string, StateClaim[]>();
    for (const entry of ledger) {
      if (!byTask.has(entry.task)) byTask.set(entry.task, []);
      byTask.get(entry.task)!.push({ ...entry, attempt: entry.attempt ?? 1 });
    }
    for (const [taskId, entries] of byTask) {
      const path = claimPathOf(taskId);
      const bytes = snapshot.read(path);
      const existing = (bytes && parseClaims(bytes)?.claims) || [];
      // dispatches of the local ledger hold for good: no lease, as they did there
      const added = entries.filter(
        (e) => !existing.some((c) => c.request === e.request && c.attempt === e.attempt),
      );
      if (added.length === 0) continue;
      writes.push({ path, content: serializeClaims([...existing, ...added]) });
      report.claims += added.length;
    }
    return writes;
  };
  if (dryRun) await compute(state.snapshot());
  else {
    const update = await state.update('migrate statuses, claims and run evidence from the branch', compute);
    if (update.changed) report.stateCommit = update.commit;
  }

  const configText = textOf(root, CONFIG_FILE);
  const newConfig = withStateRef(configText);
  const ignoreText = textOf(root, GITIGNORE);
  const newIgnore = withRunsIgnored(ignoreText);
  const tracked = git(root, ['ls-files', '-z', '--', '.runs'], { set: LITERAL })
    .stdout.split('\0')
    .filter(Boolean);
  report.configChanged = newConfig !== configText;
  report.untracked = tracked.length;
  if (dryRun || (!report.configChanged && newIgnore === ignoreText && tracked.length === 0)) return report;

  const head = git(root, ['rev-parse', '--verify', 'HEAD'], { allowFail: true }).stdout.trim();
  const headTree = head ? git(root, ['rev-parse', `${head}^{tree}`]).stdout.trim() : null;
  const [configBlob, ignoreBlob] = writeBlobs(root, [newConfig, newIgnore]);
  const changes = new Map<string, TreeEntry | null>([
    [CONFIG_FILE, { mode: '100644', blob: configBlob }],
    [GITIGNORE, { mode: '100644', blob: ignoreBlob }],
  ]);
  if (tracked.length) changes.set('.runs', null);
  const tree = treeWith(root, headTree, changes);
  const message = [
    'cxo: keep statuses, claims and run evidence on the state ref',
    '',
    `gitops.state: ref. The statuses, runs and claims are on ${state.ref}${report.stateCommit ? ` (${report.stateCommit.slice(0, 12)})` : ''};`,
    '.runs/ is no longer tracked on this branch.',
    '',
  ].join('\n');
  const commit = commitTreeAs(root, tree, head ? [head] : [], message, { author: personIdentity(root) });
  const moved = git(root, ['update-ref', '-m', 'cxo state migrate', branch, commit, head], {
    allowFail: true,
  });
  if (moved.status !== 0)
    throw new OperationError(
      `${branch} moved while migrating; nothing was committed on it`,
      'run `cxo state migrate` again (what is on the state ref already is not copied twice)',
    );
  writeFileAtomic(join(root, CONFIG_FILE), newConfig);
  writeFileAtomic(join(root, GITIGNORE), newIgnore);
  // the person's index follows the commit for these paths only; everything else they staged stays
  git(root, ['reset', '-q', commit, '--', CONFIG_FILE, GITIGNORE, ...(tracked.length ? ['.runs'] : [])], {
    set: LITERAL,
  });
  report.commit = commit;
  return report;
}

/** The config text with `gitops.state: ref`, its comments and layout kept. */
export function withStateRef(text: string): string {
  if (!text.trim()) return 'version: 1\ngitops:\n  state: ref\n';
  const doc = parseDocument(text);
  if (doc.get('gitops') === null || doc.get('gitops') === undefined) doc.delete('gitops');
  if (doc.getIn(['gitops', 'state']) === 'ref') return text;
  doc.setIn(['gitops', 'state'], 'ref');
  return doc.toString();
}

/** A file's text; empty when it does not exist. */
function textOf(root: string, file: string): string {
  const path = join(root, file);
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}

/** A run's manifest; undefined when it does not parse (its evidence is copied all the same). */
function readManifest(root: string, dir: string): RunManifest | undefined {
  try {
    return RunRecorder.read(root, dir);
  } catch {
    return undefined;
  }
}
