/**
 * `cxo verify`: checks a run's evidence against what is on disk and in git. Every artifact the
 * manifest lists is hashed again, decompressed when stored compressed (a missing file is a
 * mismatch, unless the run's pruned.json says `cxo runs gc` removed it; for a log cut at the size
 * cap, the stored file is what was hashed), the manifest must match its schema, and for a run that
 * ended in review the run branch must still hold exactly the diff that was reviewed.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, normalize } from 'node:path';
import { UsageError } from '../errors.js';
import { git, gitBytes } from '../git/git.js';
import { validateRunManifest } from '../generated/validators.js';
import { readArtifact, readRunFile } from './artifact-store.js';
import { manifestDigest } from './manifest-digest.js';
import { type PrunedArtifact, PRUNED, readPruned } from './pruned-record.js';
import type { RunManifest } from './manifest-types.js';
import type { TrustedSigners } from '../git/trusted-signers.js';
import type { Config } from '../repo/config.js';
import type { Redactor } from './redaction.js';
import { unprovenSignOffs } from './signoff-proofs.js';
import { listRunDirs } from './run-index.js';
import { MANIFEST } from './run-recorder.js';

export interface Mismatch {
  /** What does not match: an artifact path, the manifest, or the run branch. */
  path: string;
  /** The whole finding, one line: `path: expected <sha> (<bytes> bytes), found ...`. */
  message: string;
}

export interface RunVerification {
  /** Repository-relative run directory, `.runs/<task>/<run>`. */
  dir: string;
  runId: string;
  taskId: string;
  /** The run's result status, or null when the manifest could not be read. */
  status: string | null;
  /** How many artifacts were checked (the pruned ones included). */
  artifacts: number;
  /** Artifacts whose bytes `cxo runs gc` removed (pruned.json): not there, and not a mismatch. */
  pruned: string[];
  /** Whether the branch was compared with the stored diff. */
  branchChecked: boolean;
  mismatches: Mismatch[];
  /** Things worth knowing that are not mismatches (a skipped comparison, a redacted diff). */
  notes: string[];
}

interface Digest {
  sha256: string;
  bytes: number;
}

const digestOf = (data: Buffer): Digest => ({
  sha256: createHash('sha256').update(data).digest('hex'),
  bytes: data.length,
});
const show = (d: Digest) => `${d.sha256} (${d.bytes} bytes)`;

/**
 * The run directory for a run id or a unique prefix of one; the directory name is the run id, so
 * a run whose manifest no longer parses is found too.
 */
export function findRunDir(root: string, runId: string): string | undefined {
  const dirs = listRunDirs(root);
  const exact = dirs.filter((d) => basename(d) === runId);
  if (exact.length === 1) return exact[0];
  const matches = exact.length ? exact : dirs.filter((d) => basename(d).startsWith(runId));
  if (matches.length > 1) {
    throw new UsageError(
      `"${runId}" matches ${matches.length} runs: ${matches.map((d) => basename(d)).join(', ')}`,
      'give more of the run id',
    );
  }
  return matches[0];
}

/** Verifies every run under .runs/, oldest first. */
export function verifyAll(root: string, options: VerifyOptions = {}): RunVerification[] {
  return listRunDirs(root)
    .sort((a, b) => basename(a).localeCompare(basename(b)))
    .map((dir) => verifyRun(root, dir, options));
}

/**
 * Verifies one run. `redactor` (the orchestrator's, from the environment and config) lets a diff
 * whose stored copy had secrets redacted still be recognised as the branch's diff.
 */
export interface VerifyOptions {
  redactor?: Redactor;
  /** Check that approval sign-offs were added by commits their reviewer signed (when the spec's risk says so). */
  signOffs?: { config: Config; signers: TrustedSigners };
}

export function verifyRun(root: string, dir: string, options: VerifyOptions = {}): RunVerification {
  const result: RunVerification = {
    dir,
    runId: basename(dir),
    taskId: basename(dirname(dir)),
    status: null,
    artifacts: 0,
    pruned: [],
    branchChecked: false,
    mismatches: [],
    notes: [],
  };
  const mismatch = (path: string, message: string) =>
    result.mismatches.push({ path, message: `${path}: ${message}` });
  const manifestPath = `${dir}/${MANIFEST}`;

  let manifest: RunManifest;
  let manifestText: string;
  try {
    manifestText = readFileSync(join(root, manifestPath), 'utf8');
    manifest = JSON.parse(manifestText) as RunManifest;
  } catch (e) {
    mismatch(manifestPath, `cannot be read as JSON (${(e as Error).message})`);
    return result;
  }
  if (!validateRunManifest(manifest)) {
    const seen = new Set<string>();
    for (const error of validateRunManifest.errors ?? []) {
      const text = `${error.instancePath || '/'} ${error.message ?? error.keyword}`;
      if (seen.has(text)) continue;
      seen.add(text);
      mismatch(manifestPath, `does not match the run-manifest schema: ${text}`);
    }
  }
  if (typeof manifest !== 'object' || manifest === null) return result;
  result.status = typeof manifest.result?.status === 'string' ? manifest.result.status : null;
  if (manifest.run?.id !== undefined && manifest.run.id !== result.runId) {
    mismatch(manifestPath, `is the manifest of run ${String(manifest.run.id)}, not of ${result.runId}`);
  }
  if (manifest.task?.id !== undefined && manifest.task.id !== result.taskId) {
    mismatch(
      manifestPath,
      `is the manifest of a run of task ${String(manifest.task.id)}, not of ${result.taskId}`,
    );
  }
  if (result.status === 'running') result.notes.push('the run has not ended: its artifacts may still change');
  // a sign-off signs the manifest as it was: any later change to it (other than more sign-offs) shows
  if (Array.isArray(manifest.signoffs) && manifest.signoffs.length > 0) {
    const digest = manifestDigest(manifest);
    for (const s of manifest.signoffs) {
      if (s?.manifestSha256 !== digest) {
        mismatch(
          manifestPath,
          `changed after ${String(s?.by)} signed it off at ${String(s?.at)}: signed ${String(s?.manifestSha256)}, now ${digest}`,
        );
      }
    }
  }

  if (options.signOffs && Array.isArray(manifest.signoffs)) {
    const { config, signers } = options.signOffs;
    for (const u of unprovenSignOffs(root, manifestPath, manifestText, manifest, config, signers)) {
      mismatch(manifestPath, `the approval by ${u.signoff.by} at ${u.signoff.at} does not count: ${u.why}`);
    }
  }

  const pruned = prunedOf(root, dir, mismatch);
  for (const artifact of Array.isArray(manifest.artifacts) ? manifest.artifacts : []) {
    if (typeof artifact?.path !== 'string') continue; // the schema check reported it
    result.artifacts++;
    const expected: Digest = { sha256: String(artifact.sha256), bytes: Number(artifact.bytes) };
    if (!insideDir(artifact.path, dir)) {
      mismatch(
        artifact.path,
        `expected ${show(expected)} inside ${dir}, found a path outside the run directory`,
      );
      continue;
    }
    let data: Buffer;
    try {
      data = readArtifact(root, artifact);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // a pruned artifact is one whose bytes gc removed and whose hash the record repeats
      const record = pruned.get(artifact.path);
      if (code === 'ENOENT' && record?.sha256 === expected.sha256 && record.bytes === expected.bytes) {
        result.pruned.push(artifact.path);
        continue;
      }
      const found =
        code === 'ENOENT'
          ? 'no file'
          : code === 'ERR_BUFFER_TOO_LARGE'
            ? 'a compressed file that inflates beyond that size'
            : code?.startsWith('Z_')
              ? `a compressed file that does not inflate (${(e as Error).message})`
              : `an unreadable file (${code})`;
      mismatch(artifact.path, `expected ${show(expected)}, found ${found}`);
      continue;
    }
    const found = digestOf(data);
    if (found.sha256 !== expected.sha256 || found.bytes !== expected.bytes) {
      mismatch(artifact.path, `expected ${show(expected)}, found ${show(found)}`);
      continue;
    }
    if (artifact.truncated) {
      // the stored file ends with the line the runner wrote when it cut the log
      const marker = `[truncated: ${artifact.truncated.bytes} bytes, sha256 ${artifact.truncated.sha256}]\n`;
      if (!data.toString('utf8').endsWith(marker)) {
        mismatch(
          artifact.path,
          `the manifest says the full output was ${artifact.truncated.sha256} (${artifact.truncated.bytes} bytes), but the stored file's [truncated] line does not`,
        );
      }
    }
  }

  if (result.pruned.length > 0)
    result.notes.push(
      `${result.pruned.length} artifact(s) pruned by cxo runs gc: only their hashes are kept`,
    );
  if (result.status === 'review') verifyBranch(root, manifest, result, mismatch, options.redactor);
  return result;
}

/** The run's pruned records by artifact path; an invalid pruned.json is a mismatch (and prunes nothing). */
function prunedOf(
  root: string,
  dir: string,
  mismatch: (path: string, message: string) => void,
): Map<string, PrunedArtifact> {
  try {
    return new Map(readPruned(root, dir).pruned.map((p) => [p.path, p]));
  } catch (e) {
    mismatch(`${dir}/${PRUNED}`, (e as Error).message);
    return new Map();
  }
}

/** The run branch must exist and `git diff --binary base tip` must equal the stored diff.patch. */
function verifyBranch(
  root: string,
  manifest: RunManifest,
  result: RunVerification,
  mismatch: (path: string, message: string) => void,
  redactor: Redactor | undefined,
): void {
  const diff = manifest.diff;
  const branch = manifest.run?.branch;
  if (!diff || typeof diff.artifact !== 'string') {
    mismatch(`${result.dir}/${MANIFEST}`, 'the run ended in review but records no diff');
    return;
  }
  if (diff.headCommit === null || diff.headCommit === undefined) {
    result.notes.push(
      `no commit recorded (a --no-commit run, or nothing was committed): the branch comparison is skipped`,
    );
    return;
  }
  if (typeof branch !== 'string' || !branch) {
    mismatch(`${result.dir}/${MANIFEST}`, 'the run ended in review but names no branch');
    return;
  }
  const ref = runBranchRef(root, branch);
  const tipRun = gitBytes(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { allowFail: true });
  if (tipRun.status !== 0) {
    mismatch(ref, `expected ${diff.headCommit}, found no branch`);
    return;
  }
  const tip = tipRun.stdout.toString('utf8').trim();
  if (result.pruned.includes(diff.artifact)) {
    result.notes.push(`${diff.artifact} was pruned: the branch is not compared with the reviewed diff`);
    return;
  }
  let stored: Buffer;
  try {
    stored = readRunFile(root, manifest, diff.artifact);
  } catch {
    mismatch(diff.artifact, 'the stored diff is missing: the branch cannot be compared with it');
    return;
  }
  result.branchChecked = true;
  // the flags the pipeline recorded the diff with (there: the index of the worktree against base)
  const actualRun = gitBytes(root, ['diff', '--binary', '--no-color', diff.baseCommit, tip], {
    allowFail: true,
  });
  if (actualRun.status !== 0) {
    mismatch(ref, `cannot diff ${diff.baseCommit} with ${tip}: ${actualRun.stderr.trim()}`);
    return;
  }
  const actual = actualRun.stdout;
  // a diff cut at max_artifact_bytes: the branch's whole diff must be the one whose hash was kept
  const cut = manifest.artifacts?.find((a) => a?.path === diff.artifact)?.truncated;
  if (cut) {
    const whole = digestOf(actual);
    if (whole.sha256 !== cut.sha256 || whole.bytes !== cut.bytes)
      mismatch(
        ref,
        `its diff should be the recorded full diff ${show(cut)} (${diff.artifact} keeps its start), found ${show(whole)}`,
      );
    return;
  }
  const tipNote = tip === diff.headCommit ? '' : ` (its tip is ${tip}, not the recorded ${diff.headCommit})`;
  if (actual.equals(stored)) {
    if (tipNote) result.notes.push(`${ref}${tipNote}, but its diff is still the one reviewed`);
    return;
  }
  // the stored copy went through the redactor: a secret in the diff is stored as [REDACTED:kind]
  const decoded = actual.toString('utf8');
  const lossless = Buffer.from(decoded, 'utf8').equals(actual);
  if (redactor && lossless && Buffer.from(redactor.redact(decoded), 'utf8').equals(stored)) {
    result.notes.push(`${ref}: its diff matches ${diff.artifact} once secrets are redacted`);
    if (tipNote) result.notes.push(`${ref}${tipNote}`);
    return;
  }
  const why =
    !lossless && Buffer.from(decoded, 'utf8').equals(stored)
      ? '; they differ only where the diff is not UTF-8 (the stored copy is lossy)'
      : '';
  mismatch(
    ref,
    `git diff --binary ${diff.baseCommit.slice(0, 12)} ${tip.slice(0, 12)} should equal ${diff.artifact}${tipNote}: expected ${show(digestOf(stored))}, found ${show(digestOf(actual))}${why}`,
  );
}

function insideDir(path: string, dir: string): boolean {
  if (isAbsolute(path)) return false;
  const clean = normalize(path);
  return clean.startsWith(`${dir}/`) && !clean.split('/').includes('..');
}

/**
 * The run's branch: the local one, else a remote's as last fetched (a run made in another clone,
 * whose branch that clone pushed with its evidence), else the local name (reported missing).
 */
function runBranchRef(root: string, branch: string): string {
  const local = `refs/heads/${branch}`;
  const refs = git(root, ['for-each-ref', '--format=%(refname)', local, 'refs/remotes/']).stdout.split('\n');
  if (refs.includes(local)) return local;
  const fetched = refs.find(
    (ref) => ref.endsWith(`/${branch}`) && ref.split('/').length === branch.split('/').length + 3,
  );
  return fetched ?? local;
}
