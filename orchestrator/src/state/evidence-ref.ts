import { OperationError } from '../errors.js';
import { readBlobs } from '../git/cat-file.js';
import { commitTreeAs } from '../git/commit-tree.js';
import { git } from '../git/git.js';
import { pushRefspec, resolveRev } from '../git/refs.js';
import { type TreeEntry, treeWith } from '../git/tree-build.js';
import { writeBlobs } from './state-ref.js';

/**
 * A run's large evidence, kept out of the state ref's tree: one commit (no parent) whose tree
 * holds the run's files at their paths inside the run directory, pinned by
 * `refs/cxo/evidence/<task>/<run>` and pushed beside the state ref when the state is shared. The
 * state tree keeps the manifest with every hash, so these bytes can be dropped (`cxo runs gc`
 * deletes the ref, and git's own gc the objects) without the evidence becoming unverifiable.
 */
export const EVIDENCE_REFS = 'refs/cxo/evidence';

export function evidenceRefOf(taskId: string, runId: string): string {
  return `${EVIDENCE_REFS}/${taskId}/${runId}`;
}

/** One file of a run's evidence: its path inside the run directory. */
export interface EvidenceFile {
  path: string;
  content: Buffer;
}

/**
 * Pins `files` under the run's evidence ref (a commit of them alone), and pushes the ref to
 * `remote` first when given, so the state ref never names bytes the remote lacks. Idempotent: the
 * same files keep the same commit.
 */
export async function pinEvidence(
  root: string,
  taskId: string,
  runId: string,
  files: EvidenceFile[],
  remote: string | undefined,
): Promise<void> {
  const ref = evidenceRefOf(taskId, runId);
  const ids = writeBlobs(
    root,
    files.map((f) => f.content),
  );
  const changes = new Map<string, TreeEntry | null>(
    files.map((f, i) => [f.path, { mode: '100644', blob: ids[i] }]),
  );
  const tree = treeWith(root, null, changes);
  const current = resolveRev(root, ref);
  const currentTree = current ? resolveRev(root, `${current}^{tree}`) : undefined;
  const commit =
    current && currentTree === tree
      ? current
      : commitTreeAs(root, tree, [], `cxo-evidence: ${taskId} [${runId}]\n`);
  if (commit !== current) git(root, ['update-ref', '-m', 'cxo evidence', ref, commit]);
  if (!remote) return;
  // one writer per run: the run's own clone (gc, elsewhere, only deletes it)
  const refused = await pushRefspec(root, remote, `+${commit}:${ref}`);
  if (refused)
    throw new OperationError(
      `cannot push the evidence ref ${ref} to ${remote}: ${refused}`,
      'check that the remote accepts pushes to refs/cxo/evidence/*',
    );
}

/**
 * The files of a run's evidence ref (path inside the run directory → bytes), fetched from
 * `remote` first when this clone does not have it; empty when neither has it (pruned, or never
 * written). The ref is input like the state ref: only regular files at plain paths count.
 */
export function readEvidence(
  root: string,
  taskId: string,
  runId: string,
  remote: string | undefined,
  isSafePath: (path: string) => boolean,
): Map<string, Buffer> {
  const ref = evidenceRefOf(taskId, runId);
  if (!resolveRev(root, ref) && remote)
    git(root, ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', remote, `+${ref}:${ref}`], {
      allowFail: true,
    });
  const commit = resolveRev(root, ref);
  if (!commit) return new Map();
  const ids = new Map<string, string>();
  for (const record of git(root, ['ls-tree', '-r', '-z', commit]).stdout.split('\0')) {
    const m = /^(100644|100755) blob ([0-9a-f]+)\t(.+)$/s.exec(record);
    if (m && isSafePath(m[3])) ids.set(m[3], m[2]);
  }
  const blobs = readBlobs(root, [...ids.values()]);
  const out = new Map<string, Buffer>();
  for (const [path, id] of ids) {
    const bytes = blobs.get(id);
    if (bytes) out.set(path, bytes);
  }
  return out;
}

/** Deletes a run's evidence ref here and, when given, on `remote` (absent there already is fine). */
export async function dropEvidence(
  root: string,
  taskId: string,
  runId: string,
  remote: string | undefined,
): Promise<void> {
  const ref = evidenceRefOf(taskId, runId);
  if (remote) {
    const refused = await pushRefspec(root, remote, `:${ref}`);
    if (refused && !/remote ref does not exist/i.test(refused))
      throw new OperationError(`cannot delete the evidence ref ${ref} on ${remote}: ${refused}`);
  }
  git(root, ['update-ref', '-d', ref], { allowFail: true });
}
