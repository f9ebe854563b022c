import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CxoError, ExitCode, NotFoundError, UsageError } from '../errors.js';
import { git } from '../git/git.js';
import { personIdentity, personName } from '../git/person.js';
import { type SigningIdentity, signerName, signingConfig, signingIdentity } from '../git/signing-identity.js';
import { readTrustedSigners } from '../git/trusted-signers.js';
import type { FileEdit } from '../git/status-commit.js';
import { writeFileAtomic } from '../repo/atomic-write.js';
import { findChecklistItem, parseChecklist, tickChecklistItem } from '../repo/checklist.js';
import type { Config } from '../repo/config.js';
import { loadSpec } from '../repo/load-repo.js';
import type { Task, TaskStatus } from '../repo/task-types.js';
import type { RunManifest, SignOff } from '../runs/manifest-types.js';
import { createRunRedactor } from '../runs/run-redactor.js';
import { MANIFEST } from '../runs/run-recorder.js';
import { verifyRun } from '../runs/verify-run.js';
import { loadObservedIndex } from '../state/observed-index.js';
import { writeTaskStatus } from '../state/write-task-status.js';
import { manifestDigest } from '../runs/manifest-digest.js';
import { checkMergeable, mergeRunBranch } from './merge-run.js';
import { resolveRunTarget } from './resolve-run.js';

export type Decision = SignOff['decision'];

export interface SignOffOptions {
  root: string;
  config: Config;
  /** A run id (or unique prefix), or a task id for its last run. */
  target: string;
  decision: Decision;
  comment?: string;
  /** Who signs; default git's user.name. */
  by?: string;
  env: NodeJS.ProcessEnv;
  source?: SignOff['source'];
  /** The GitHub review, for sign-offs from a pull request. */
  url?: string | null;
  /** Merge the run branch into the base branch after an approval. */
  merge?: boolean;
}

export interface SignOffResult {
  runId: string;
  taskId: string;
  dir: string;
  decision: Decision;
  by: string;
  /** The commit of the new task status with the signed manifest (on the state ref in ref mode). */
  commit: string;
  /** Where `commit` is: the current branch (inline) or the state ref (ref mode). */
  on: 'branch' | 'state-ref';
  /** The `state_sync: done` commit of the final status on the branch (ref mode). */
  synced?: string;
  /** `state_sync: pr`: the pull request that lands the done statuses on the base branch. */
  syncPullRequest?: { number: number; url: string; tasks: string[] };
  /** Why the `state_sync` commit or pull request could not be made. */
  warning?: string;
  /** The checklist item ticked, `file#number`. */
  checklist?: string;
  /** The merge commit of the run branch. */
  merge?: string;
  /** The person's uncommitted edit of the task's status (or of the checklist) was kept. */
  conflicts: string[];
  /** The status commit is signed with the reviewer's key (a CLI sign-off), or it came from GitHub. */
  signed: boolean;
}

/**
 * A reviewer's decision on a run waiting for review: recorded in the manifest (who, when, what,
 * the comment and the manifest digest signed), then the task moves to done (its checklist item
 * ticked with the manifest as evidence) or to changes-requested (the comment goes to the next
 * run's prompt), committed like every status write-back. An approval needs `cxo verify` to pass,
 * and under a high-risk spec an approver other than the task's author.
 */
export async function signOff(options: SignOffOptions): Promise<SignOffResult> {
  const { root, config, decision } = options;
  const { index } = loadObservedIndex(root, config, 'full');
  const { dir, manifest } = resolveRunTarget(root, index, options.target);
  const runId = manifest.run.id;
  const task = index.byId.get(manifest.task.id);
  if (!task) throw new NotFoundError(`task "${manifest.task.id}" of run ${runId} is not in ${index.file}`);
  checkReviewable(task, manifest);
  // a GitHub review's identity is its reviewer's login; a CLI sign-off's is the signing key's principal
  const fromGitHub = options.source === 'github';
  let identity: SigningIdentity | undefined;
  if (!fromGitHub) {
    const signers = readTrustedSigners(root);
    signers.dispose();
    identity = signingIdentity(root, signers);
  }
  const by = fromGitHub
    ? options.by?.trim()
    : signerName(identity, options.by, personName(root, options.env));
  if (!by) throw new UsageError('who is signing off?', 'pass --by NAME or set git config user.name');
  const keySigned = Boolean(identity?.principal);

  let tick: { ref: string; edit: FileEdit } | undefined;
  if (decision === 'approve') {
    checkIntegrity(manifest);
    checkVerified(root, dir, config, options.env);
    checkNotAuthor(root, config, task, manifest, by);
    if (task.checklist) tick = checklistTick(root, task.checklist, `${dir}/${MANIFEST}`);
    if (options.merge) {
      checkMergeable(root, config, manifest);
      if (!keySigned && !fromGitHub && signatureRequired(root, config, manifest))
        throw new CxoError(
          `run ${runId} cannot be merged on an unsigned approval: its spec's risk requires signatures`,
          ExitCode.Failure,
          { hint: 'sign it: set user.signingkey (gpg.format ssh) to a key .cxo/allowed_signers lists' },
        );
    }
  } else if (options.merge) {
    throw new UsageError('--merge only goes with --approve');
  }

  const signed: SignOff = {
    by,
    at: new Date().toISOString(),
    decision,
    comment: options.comment ?? null,
    manifestSha256: manifestDigest(manifest),
    source: options.source ?? 'cli',
    ...(options.url ? { url: options.url } : {}),
  };
  const manifestPath = join(root, dir, MANIFEST);
  const unsigned = readFileSync(manifestPath);
  manifest.signoffs = [...(manifest.signoffs ?? []), signed];
  writeFileAtomic(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);

  const approved = decision === 'approve';
  const status: TaskStatus = {
    phase: approved ? 'done' : 'changes-requested',
    ...(approved ? {} : { reason: 'ChangesRequested', message: options.comment || 'changes requested' }),
    ...(manifest.trigger.request ? { observedRequest: manifest.trigger.request } : {}),
    lastRun: {
      id: runId,
      manifest: `${dir}/${MANIFEST}`,
      result: approved ? 'approved' : 'changes-requested',
    },
    updatedAt: signed.at,
  };
  // a sign-off whose status did not land was not made: the manifest goes back as it was, so that
  // a retry (the state ref kept moving, the index could not be written) signs the run once
  const committed = await writeTaskStatus({
    root,
    config,
    taskId: task.id,
    status,
    runId,
    evidence: true,
    edits: tick ? [tick.edit] : [],
    trailers: [[approved ? 'Reviewed-by' : 'Changes-requested-by', by]],
    ...(keySigned ? { signWith: signingConfig(identity!) } : {}),
    ...authorOf(root, fromGitHub),
  }).catch((e: unknown) => {
    writeFileAtomic(manifestPath, unsigned);
    throw e;
  });
  const conflicts = [
    ...(committed.conflict ? [`${config.files.tasks} (${committed.conflict.field})`] : []),
    ...(committed.keptFiles ?? []),
  ];
  const result: SignOffResult = {
    runId,
    taskId: task.id,
    dir,
    decision,
    by,
    commit: committed.commit,
    on: committed.on,
    conflicts,
    signed: keySigned || fromGitHub,
    ...(committed.synced ? { synced: committed.synced } : {}),
    ...(committed.syncPullRequest ? { syncPullRequest: committed.syncPullRequest } : {}),
    ...(committed.syncWarning ? { warning: committed.syncWarning } : {}),
    // in ref mode the tick lands only with the state_sync commit
    ...(tick && (committed.on === 'branch' || committed.synced) ? { checklist: tick.ref } : {}),
  };
  if (approved && options.merge) result.merge = mergeRunBranch(root, task, manifest, by);
  return result;
}

/** Whether the risk of the run's spec requires sign-offs to be signed (approvals.<risk>.require_signature). */
export function signatureRequired(root: string, config: Config, manifest: RunManifest): boolean {
  if (!manifest.spec) return false;
  const risk = loadSpec(root, manifest.spec.path, config).spec?.fields.risk;
  return risk !== undefined && config.approvals[risk].require_signature;
}

/** The person who ran the command authors the status commit; a GitHub review's is the orchestrator's. */
function authorOf(root: string, fromGitHub: boolean): { author?: { name: string; email: string } } {
  const person = fromGitHub ? undefined : personIdentity(root);
  return person ? { author: person } : {};
}

function checkReviewable(task: Task, manifest: RunManifest): void {
  const runId = manifest.run.id;
  if (manifest.result.status !== 'review') {
    throw new UsageError(
      `run ${runId} ended ${manifest.result.status}; only a run waiting for review can be signed off`,
      `start a new run with \`cxo run ${task.id}\``,
    );
  }
  const approval = manifest.signoffs?.find((s) => s.decision === 'approve');
  if (approval)
    throw new UsageError(`run ${runId} was approved already, by ${approval.by} at ${approval.at}`);
  const last = task.status?.lastRun?.id;
  if (last && last > runId) {
    throw new UsageError(
      `run ${runId} is not the last run of task ${task.id}: ${last} is`,
      `review that one: cxo review ${last}`,
    );
  }
}

/** A run that wrote outside its change, or adds what git would run, is never approved. */
function checkIntegrity(manifest: RunManifest): void {
  const findings = manifest.integrity ?? [];
  if (findings.length === 0) return;
  throw new CxoError(
    `run ${manifest.run.id} cannot be approved: ${findings.map((f) => `${f.message} (${f.code})`).join('; ')}`,
    ExitCode.Failure,
    { hint: 'request changes or start a new run; see "Static review" in docs/runs.md' },
  );
}

/** An approval signs evidence that is intact: every artifact hash and the branch's diff. */
function checkVerified(root: string, dir: string, config: Config, env: NodeJS.ProcessEnv): void {
  const redactor = createRunRedactor(config, env);
  const verification = verifyRun(root, dir, { redactor });
  // pruned evidence verifies (it is not tampered with), but there is nothing left to review
  if (verification.pruned.length > 0) {
    throw new CxoError(
      `run ${verification.runId} cannot be approved: cxo runs gc pruned ${verification.pruned.length} of its artifacts (${verification.pruned.join(', ')})`,
      ExitCode.Failure,
      { hint: 'start a new run of the task' },
    );
  }
  if (verification.mismatches.length > 0) {
    throw new CxoError(
      `run ${verification.runId} cannot be approved: its evidence does not verify\n${verification.mismatches
        .map((m) => `  ${m.message}`)
        .join('\n')}`,
      ExitCode.Failure,
      { hint: `see \`cxo verify ${verification.runId}\`; request changes or start a new run` },
    );
  }
}

/** Under a high-risk spec the approver may not be the task's author (its owner, or who started the run). */
function checkNotAuthor(root: string, config: Config, task: Task, manifest: RunManifest, by: string): void {
  if (!manifest.spec) return;
  const spec = loadSpec(root, manifest.spec.path, config).spec;
  if (spec?.fields.risk !== 'high') return;
  const authors = [task.owner, manifest.trigger.actor].filter((a): a is string => Boolean(a));
  const same = authors.find((a) => a.trim().toLowerCase() === by.toLowerCase());
  if (same) {
    throw new CxoError(
      `run ${manifest.run.id} cannot be approved by ${by}: spec ${spec.fields.id} is high risk, and ${same} is the task's author`,
      ExitCode.Failure,
      { hint: 'ask another reviewer to approve it' },
    );
  }
}

/** The tick of the task's checklist item (`file#number`), citing the manifest; checked against HEAD now. */
function checklistTick(root: string, ref: string, citation: string): { ref: string; edit: FileEdit } {
  const hash = ref.lastIndexOf('#');
  const file = hash > 0 ? ref.slice(0, hash) : ref;
  const number = hash > 0 ? ref.slice(hash + 1) : '';
  const edit: FileEdit = {
    file,
    apply: (text) => {
      const item = findChecklistItem(
        parseChecklist({ file, text, bom: false, eol: text.includes('\r\n') ? '\r\n' : '\n' }).checklist,
        number,
      );
      return item ? tickChecklistItem(text, item, citation) : undefined;
    },
  };
  const committed = git(root, ['show', `HEAD:${file}`], { allowFail: true });
  if (committed.status !== 0)
    throw new NotFoundError(`checklist ${file} of the task is not committed`, `commit ${file} first`);
  if (!number || edit.apply(committed.stdout) === undefined)
    throw new NotFoundError(
      `checklist item ${ref} of the task does not exist`,
      `fix the task's checklist field`,
    );
  return { ref, edit };
}
