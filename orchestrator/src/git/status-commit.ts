import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { OperationError } from '../errors.js';
import { writeFileAtomic } from '../repo/atomic-write.js';
import { canonicalJson } from '../repo/canonical-json.js';
import { repoPathProblem } from '../repo/repo-paths.js';
import { parseJson } from '../repo/json-document.js';
import { decodeSource, encodeSource, type SourceText } from '../repo/source-text.js';
import { setTaskStatusInText } from '../repo/task-index-edit.js';
import type { Task, TaskStatus } from '../repo/task-types.js';
import { locateTask } from '../repo/task-locator.js';
import { validateTaskIndex } from '../generated/index-validators.js';
import { jitteredBackoff, sleep } from './backoff.js';
import { commitTreeAs } from './commit-tree.js';
import { git, gitBytes } from './git.js';
import { listTree, treeWith } from './tree-build.js';
import { isKnownValid, rememberValid } from './valid-index-blobs.js';

export interface CommitTaskStatusOptions {
  root: string;
  /** Repository-relative path of the task index, e.g. `codex.tasks.json`. */
  indexFile: string;
  taskId: string;
  /** The new status block. */
  status: TaskStatus;
  runId: string;
  /** Repository-relative manifest path, named in the trailers with its sha256. */
  manifest?: string;
  /** Repository-relative files (or directories, walked) committed too: the run's evidence. */
  extraFiles?: string[];
  /** Subject (and body) instead of `cxo(<task>): <phase> [<run>]`; the trailers are appended. */
  message?: string;
  /**
   * Line edits of other committed text files (a checklist tick), applied to the committed text and
   * to the person's working copy alike; `apply` returns undefined when the text has no place for it.
   */
  edits?: FileEdit[];
  /** More trailers after the standard ones, e.g. `Reviewed-by`. */
  trailers?: [string, string][];
  /** Compare-and-swap attempts before giving up (default 8). */
  maxAttempts?: number;
  /** The person who acted (a reviewer): the commit's author; the orchestrator stays the committer. */
  author?: { name: string; email: string };
  /** `git -c` arguments that sign the commit with the person's key (git/signing-identity.ts). */
  signWith?: string[];
}

export interface FileEdit {
  /** Repository-relative path of a committed UTF-8 text file. */
  file: string;
  apply: (text: string) => string | undefined;
}

export interface CommitTaskStatusResult {
  /** The commit holding the status (HEAD's commit when nothing changed). */
  commit: string;
  /** Compare-and-swap attempts used. */
  attempts: number;
  /**
   * Set when the person's working copy of the index was left as they had it: they changed the
   * task's status block themselves (`status`), removed the task (`task`), or the file does not
   * parse or is gone (`file`). The status is committed either way.
   */
  conflict?: { field: string };
  /** Edited files whose working copy the edit could not be applied to: the person's copy was kept. */
  keptFiles?: string[];
}

/** Paths are file names, never globs. */
const LITERAL = { GIT_LITERAL_PATHSPECS: '1' };

interface Entry {
  mode: string;
  blob: string;
}

/**
 * Commits a task's new status block (and the run's evidence files) on the current branch without
 * touching what the person has staged or edited:
 *
 * - the commit is built in a temporary index from HEAD's tree and lands with a compare-and-swap
 *   `update-ref`; when the branch moved meanwhile, everything is recomputed from the new HEAD,
 *   with capped exponential backoff and jitter;
 * - in the person's index, only entries of committed paths that still match the old HEAD are
 *   moved to the new blobs (so nothing shows as a staged revert); staged changes stay as they are;
 * - the person's working copy of the index gets the same minimal status edit, merged into their
 *   uncommitted edits at task granularity; if they changed this task's status block themselves,
 *   their value stays and a conflict is returned.
 *
 * Refs only move through `update-ref` and files are written atomically, so a kill at any moment
 * leaves HEAD at the old or the complete new commit and the index file valid.
 */
export async function commitTaskStatus(options: CommitTaskStatusOptions): Promise<CommitTaskStatusResult> {
  const { root, indexFile, taskId, status, runId } = options;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 8);
  const edits = options.edits ?? [];
  for (const file of [
    indexFile,
    options.manifest,
    ...(options.extraFiles ?? []),
    ...edits.map((e) => e.file),
  ]) {
    if (file === undefined) continue;
    const problem = repoPathProblem(file);
    if (problem) throw new OperationError(`${file}: ${problem}`);
  }
  const ref = git(root, ['symbolic-ref', '-q', 'HEAD'], { allowFail: true });
  if (ref.status !== 0) {
    throw new OperationError(
      'cannot write the task status back: HEAD is detached',
      'check out a branch (git switch <branch>) and run again',
    );
  }
  const branchRef = ref.stdout.trim();
  const extra = expandFiles(root, options.extraFiles ?? []);
  const message = commitMessage(options);

  // the evidence does not change between attempts: hash it once, outside the compare-and-swap window
  const extraEntries = hashFiles(root, extra);
  let prepared: PreparedIndex | undefined;
  for (let attempt = 1; ; attempt++) {
    // one resolution of the branch gives the commit and its tree
    const [head, headTree] = git(root, ['log', '-1', '--format=%H %T', branchRef, '--'])
      .stdout.trim()
      .split(' ');
    // the root listing serves twice: the index's entry (when it sits at the root) and the new tree
    const listing = listTree(root, headTree);
    const atRoot = listing.get(indexFile);
    const { mode, blob } =
      atRoot?.type === 'blob'
        ? { mode: atRoot.mode, blob: atRoot.id }
        : committedEntry(root, head, indexFile);
    // the index changed (or first attempt): edit it again; other files moving needs no re-edit
    if (prepared?.oldBlob !== blob) prepared = prepareIndex(root, head, indexFile, blob, taskId, status);
    const entries = new Map<string, Entry>();
    entries.set(indexFile, { mode, blob: prepared.newBlob });
    for (const [file, entry] of extraEntries) entries.set(file, entry);
    const edited = edits.map((edit) => applyEdit(root, head, edit));
    for (const e of edited) entries.set(e.edit.file, e.entry);
    const previous = new Map<string, Entry | null>();
    const tree = treeWith(root, headTree, entries, { listing, previous });
    const merged = () => ({
      ...mergeWorkingCopy(options, prepared!, head),
      ...mergeEditedFiles(root, edited),
    });
    // nothing to commit: the status and the evidence are in HEAD already
    if (tree === headTree) return { commit: head, attempts: attempt, ...merged() };
    const commit = commitTreeAs(root, tree, [head], message, {
      author: options.author,
      sign: options.signWith,
    });
    const swapped = git(
      root,
      ['update-ref', '-m', `cxo: status of ${taskId} [${runId}]`, branchRef, commit, head],
      { allowFail: true },
    );
    if (swapped.status === 0) {
      await syncPersonIndex(root, previous, entries);
      return { commit, attempts: attempt, ...merged() };
    }
    if (attempt >= maxAttempts) {
      throw new OperationError(
        `cannot write the status of ${taskId} back: ${branchRef} kept moving (${attempt} attempts): ${swapped.stderr.trim()}`,
        'run again when nobody else is committing',
      );
    }
    await sleep(jitteredBackoff(attempt, 10, 500));
  }
}

/** The committed index (blob `oldBlob`) and the new one with the status edit, hashed into git. */
interface PreparedIndex {
  oldBlob: string;
  oldBytes: Buffer;
  /** The task's status block before the edit. */
  oldStatus: TaskStatus | undefined;
  newBytes: Buffer;
  newBlob: string;
}

/**
 * The status edit of the committed index. The whole file is checked once per blob (the full
 * parse: JSON, duplicate keys, schema, references); a blob known valid, such as the result of
 * the previous write-back, is only scanned for the task, and the edit is checked on the task alone.
 */
function prepareIndex(
  root: string,
  head: string,
  file: string,
  blob: string,
  taskId: string,
  status: TaskStatus,
): PreparedIndex {
  const oldBytes = catBlob(root, blob);
  const decoded = decodeSource(file, oldBytes);
  const source = decoded.source;
  const invalid = (why: string) =>
    new OperationError(
      `cannot write the task status back: ${file} at ${head.slice(0, 12)} ${why}`,
      'fix and commit the task index first (cxo validate)',
    );
  if (!source) throw invalid(`is unreadable: ${decoded.diagnostics[0]?.message ?? 'unknown error'}`);
  if (!isKnownValid(root, blob)) {
    const problem = committedIndexProblem(source);
    if (problem) throw invalid(problem);
    rememberValid(root, blob);
  }
  const edit = setTaskStatusInText(source!.text, source!.eol, taskId, status);
  if (!edit) {
    throw new OperationError(
      `cannot write the status of ${taskId} back: the task is not in ${file} at HEAD`,
      `commit the task to ${file} first`,
    );
  }
  const duplicate = parseJson({ ...source, text: edit.beforeText }, { mode: 'full' }).diagnostics[0];
  if (duplicate) throw invalid(`has a problem in task ${taskId}: ${duplicate.message}`);
  const problem = editedTaskProblem(edit.after);
  if (problem) throw new Error(`refusing to commit an invalid status: ${problem}`);
  const newBytes = Buffer.from(encodeSource(source!, edit.text), 'utf8');
  const newBlob = git(root, ['hash-object', '-w', '--stdin'], { input: newBytes }).stdout.trim();
  rememberValid(root, newBlob);
  return {
    oldBlob: blob,
    oldBytes,
    oldStatus: edit.before.status,
    newBytes,
    newBlob,
  };
}

/**
 * A schema error in a task after its status was replaced. Unknown fields (a person's, with any
 * name) are warnings for `cxo validate`, not a reason to lose a run's status; the status block
 * itself is rebuilt whole, so an unknown field there is gone already.
 */
function editedTaskProblem(task: Task): string | undefined {
  if (validateTaskIndex({ version: 1, tasks: [task] })) return undefined;
  const first = validateTaskIndex.errors?.find((e) => e.keyword !== 'additionalProperties');
  return first && `${first.instancePath} ${first.message}`;
}

/**
 * What a write-back needs of the committed index, beyond the edited task (checked on its own):
 * JSON, with one `"tasks"` key (a second one would put the edit where readers do not look).
 * Other tasks' problems (a dangling reference, a schema error) are for `cxo validate` and the
 * guard to report; they do not stop the orchestrator from recording a status.
 */
function committedIndexProblem(source: SourceText): string | undefined {
  const parsed = parseJson(source, { mode: 'fast' });
  if (!parsed.doc) return `is not JSON: ${parsed.diagnostics[0]?.message ?? 'unknown error'}`;
  const keys = source.text.match(/"tasks"\s*:/g)?.length ?? 0;
  if (keys !== 1) return keys === 0 ? 'has no "tasks" array' : `has ${keys} "tasks" keys, which is ambiguous`;
  return undefined;
}

/** Blob entries of files in the working tree, hashed into git by one process. */
function hashFiles(root: string, files: string[]): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  if (files.length === 0) return entries;
  const blobs = git(root, ['hash-object', '-w', '--stdin-paths'], {
    input: `${files.join('\n')}\n`,
  })
    .stdout.trim()
    .split('\n');
  files.forEach((file, i) => {
    const executable = (statSync(join(root, file)).mode & 0o111) !== 0;
    entries.set(file, { mode: executable ? '100755' : '100644', blob: blobs[i] });
  });
  return entries;
}

function commitMessage(options: CommitTaskStatusOptions): string {
  const subject =
    options.message?.trim() || `cxo(${options.taskId}): ${options.status.phase} [${options.runId}]`;
  const trailers: [string, string][] = [
    ['Task-Id', options.taskId],
    ['Run-Id', options.runId],
  ];
  trailers.push(...(options.trailers ?? []));
  if (options.manifest) {
    trailers.push(['Manifest', options.manifest]);
    const path = join(options.root, options.manifest);
    if (existsSync(path)) {
      trailers.push(['Manifest-Sha256', createHash('sha256').update(readFileSync(path)).digest('hex')]);
    }
  }
  return `${subject}\n\n${trailers.map(([k, v]) => `${k}: ${v}`).join('\n')}\n`;
}

interface AppliedEdit {
  edit: FileEdit;
  entry: Entry;
  before: Buffer;
  after: Buffer;
}

/** One edit applied to the file as committed at `head`. */
function applyEdit(root: string, head: string, edit: FileEdit): AppliedEdit {
  const { mode, blob } = committedEntry(root, head, edit.file);
  const before = catBlob(root, blob);
  const text = edit.apply(before.toString('utf8'));
  if (text === undefined) {
    throw new OperationError(`cannot edit ${edit.file}: the committed file has no place for the change`);
  }
  const after = Buffer.from(text, 'utf8');
  const newBlob = git(root, ['hash-object', '-w', '--stdin'], { input: text }).stdout.trim();
  return { edit, entry: { mode, blob: newBlob }, before, after };
}

/** The same edits in the person's working copies: unchanged copies get the committed bytes. */
function mergeEditedFiles(root: string, edited: AppliedEdit[]): { keptFiles?: string[] } {
  const kept: string[] = [];
  for (const { edit, before, after } of edited) {
    const path = join(root, edit.file);
    const working = existsSync(path) ? readFileSync(path) : undefined;
    if (!working) kept.push(edit.file);
    else if (working.equals(before)) writeFileAtomic(path, after);
    else if (!working.equals(after)) {
      const text = edit.apply(working.toString('utf8'));
      if (text === undefined) kept.push(edit.file);
      else writeFileAtomic(path, text);
    }
  }
  return kept.length ? { keptFiles: kept } : {};
}

/** Repository-relative files, directories walked (sorted), each existing. */
function expandFiles(root: string, files: string[]): string[] {
  const out = new Set<string>();
  const walk = (file: string): void => {
    const path = join(root, file);
    if (!existsSync(path)) throw new OperationError(`cannot commit ${file}: no such file`);
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path).sort()) walk(`${file.replace(/\/+$/, '')}/${name}`);
    } else out.add(file);
  };
  for (const file of files) walk(file);
  return [...out];
}

/** Mode and blob of the task index at `head`. */
function committedEntry(root: string, head: string, file: string): Entry {
  const listed = git(root, ['ls-tree', head, '--', file], {
    set: LITERAL,
  }).stdout.trim();
  const match = /^(\d+) blob ([0-9a-f]+)\t/.exec(listed);
  if (!match) {
    throw new OperationError(
      `cannot write the task status back: ${file} is not committed`,
      `commit ${file} first`,
    );
  }
  return { mode: match[1], blob: match[2] };
}

/** The blob's exact bytes (the `git` helper decodes stdout as UTF-8, which would hide bad bytes). */
function catBlob(root: string, blob: string): Buffer {
  return gitBytes(root, ['cat-file', 'blob', blob]).stdout;
}

function indexInfo(entries: Map<string, Entry>): string {
  return [...entries].map(([path, e]) => `${e.mode} ${e.blob}\t${path}\n`).join('');
}

/**
 * Moves the person's index entries of the committed paths to the new blobs where they still
 * match the old HEAD (`inHead`, from the tree listings; or are absent from both), so the commit
 * does not show as a staged revert.
 * Entries the person staged differently are theirs and stay.
 */
async function syncPersonIndex(
  root: string,
  inHead: Map<string, Entry | null>,
  entries: Map<string, Entry>,
): Promise<void> {
  const paths = [...entries.keys()];
  for (let attempt = 1; attempt <= 20; attempt++) {
    const staged = listEntries(
      git(root, ['ls-files', '-s', '--', ...paths], { set: LITERAL }).stdout,
      /^(\d+) ([0-9a-f]+) 0\t(.*)$/,
    );
    const update = new Map<string, Entry>();
    for (const [path, entry] of entries) {
      const was = inHead.get(path) ?? undefined;
      const now = staged.get(path);
      const same = was === undefined ? now === undefined : now?.blob === was.blob && now.mode === was.mode;
      if (same) update.set(path, entry);
    }
    if (update.size === 0) return;
    const result = git(root, ['update-index', '--add', '--index-info'], {
      set: LITERAL,
      input: indexInfo(update),
      allowFail: true,
    });
    if (result.status === 0) return;
    // the person's git holds index.lock: try again shortly, the commit itself has landed
    await sleep(jitteredBackoff(Math.min(attempt, 4), 10, 500));
  }
}

function listEntries(stdout: string, pattern: RegExp): Map<string, Entry> {
  const out = new Map<string, Entry>();
  for (const line of stdout.split('\n')) {
    const m = pattern.exec(line);
    if (m) out.set(m[3], { mode: m[1], blob: m[2] });
  }
  return out;
}

/**
 * Brings the person's working copy of the index up to the commit. Unchanged → the committed
 * bytes; edited elsewhere → the same status edit applied to their text; this task's status
 * edited by them → left alone (their value wins) and reported as a conflict.
 */
function mergeWorkingCopy(
  options: CommitTaskStatusOptions,
  prepared: PreparedIndex,
  head: string,
): { conflict?: { field: string } } {
  const path = join(options.root, options.indexFile);
  const { newBytes, oldStatus } = prepared;
  for (let round = 0; round < 5; round++) {
    if (!existsSync(path)) return { conflict: { field: 'file' } };
    const working = readFileSync(path);
    let next: Buffer;
    if (working.equals(newBytes)) return {};
    if (working.equals(prepared.oldBytes)) next = newBytes;
    else {
      // the person's copy: any valid JSON will do, only this task's slice is edited and checked
      const decoded = decodeSource(options.indexFile, working);
      if (!decoded.source || !parsesAsJson(decoded.source.text)) return { conflict: { field: 'file' } };
      const edit = setTaskStatusInText(
        decoded.source.text,
        decoded.source.eol,
        options.taskId,
        options.status,
      );
      if (!edit) return { conflict: { field: 'task' } };
      const theirs = canonicalJson(edit.before.status);
      if (theirs === canonicalJson(options.status)) return {};
      // a status some commit had is no edit of theirs: a write-back killed before it reached the
      // working copy left the parent's status there
      if (theirs !== canonicalJson(oldStatus) && theirs !== canonicalJson(parentStatus(options, head))) {
        return { conflict: { field: 'status' } };
      }
      if (editedTaskProblem(edit.after)) return { conflict: { field: 'file' } };
      next = Buffer.from(encodeSource(decoded.source, edit.text), 'utf8');
    }
    // the person may have saved meanwhile: only replace the bytes the merge was computed from
    if (!readFileSync(path).equals(working)) continue;
    writeFileAtomic(path, next);
    return {};
  }
  return { conflict: { field: 'file' } };
}

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The task's status in the first parent of `head`, or undefined. */
function parentStatus(options: CommitTaskStatusOptions, head: string): TaskStatus | undefined | null {
  const blob = git(options.root, ['cat-file', 'blob', `${head}~1:${options.indexFile}`], { allowFail: true });
  if (blob.status !== 0 || !parsesAsJson(blob.stdout)) return null;
  const slice = locateTask(blob.stdout, options.taskId);
  return slice ? (JSON.parse(blob.stdout.slice(slice.start, slice.end)) as Task).status : null;
}

/** Capped exponential backoff with jitter: 10 ms doubling, at most 500 ms. */
