/** The programmatic API: the same core the CLI calls. */
export { CxoError, ExitCode, InvalidRepoError, NotFoundError, OperationError, UsageError } from './errors.js';
export { convertImport, IMPORT_FORMATS, type ImportFormat, type ImportResult } from './import/index.js';
export { findCycles } from './plan/graph.js';
export { isReady, nextTask, unfinishedDependencies, WORKABLE_PHASES } from './plan/next-task.js';
export { writeFileAtomic } from './repo/atomic-write.js';
export {
  type Checklist,
  type ChecklistItem,
  findChecklistItem,
  parseChecklist,
  tickChecklistItem,
} from './repo/checklist.js';
export { type Config, defaultConfig } from './repo/config.js';
export { parseConfig } from './repo/config-parse.js';
export { type Diagnostic, formatDiagnostic, type Severity } from './repo/diagnostics.js';
export {
  FrontMatterDocument,
  findFrontMatter,
  parseFrontMatter,
  setFrontMatterFields,
} from './repo/front-matter.js';
export { JsonDocument, parseJson } from './repo/json-document.js';
export { loadRepo, loadSpec, type RepoModel } from './repo/load-repo.js';
export { type PrdDoc, parsePrd, parseSpec, type SpecDoc } from './repo/markdown-docs.js';
export { findRepoRoot, listRepoFiles, loadConfig, loadTaskIndex, readRepoText } from './repo/repo-files.js';
export { decodeSource, type SourceText } from './repo/source-text.js';
export { GOVERNING_FIELDS, specDigest } from './repo/spec-digest.js';
export type { Approval, PrdFields, Risk, SpecFields, SpecStatus } from './repo/spec-types.js';
export { generateTaskId } from './repo/task-ids.js';
export { parseTaskIndex, TaskIndex } from './repo/task-index.js';
export { appendTask, appendTasks, setTaskFields, setTaskStatus } from './repo/task-index-edit.js';
export {
  PHASES,
  type Phase,
  PRIORITIES,
  type Priority,
  ROLES,
  type Role,
  type Task,
  type TaskStatus,
} from './repo/task-types.js';
export { writeTaskIndex } from './repo/write-index.js';
export {
  commitTaskStatus,
  type CommitTaskStatusOptions,
  type CommitTaskStatusResult,
  type FileEdit,
} from './git/status-commit.js';
export { signOff, type SignOffOptions, type SignOffResult } from './review/sign-off.js';
export { type PushOptions, type PushResult, pushWithLease } from './git/push.js';
export {
  claimPathOf,
  shardOf,
  STATE_FORMAT,
  STATE_MARKER,
  stateRefName,
  stateRunDirOf,
  statusPathOf,
  usesStateRef,
} from './state/state-layout.js';
export {
  StateRef,
  type StateRefOptions,
  StateSnapshot,
  type StateUpdate,
  type StateWrite,
} from './state/state-ref.js';
export { readStatuses, type StateStatuses, statusWrite, writeStatus } from './state/state-statuses.js';
export { loadObservedIndex, type ObservedIndex } from './state/observed-index.js';
export {
  type TaskStatusWritten,
  writeTaskStatus,
  type WriteTaskStatusOptions,
} from './state/write-task-status.js';
