import type { Role } from '../repo/task-types.js';
import type { SandboxRecord } from './sandbox/sandbox.js';

/** schemas/run-manifest.schema.json as TypeScript. */
export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';
export type RunStatus = 'running' | 'review' | 'failed' | 'cancelled';

export interface RunError {
  code: string;
  message: string;
  artifact?: string | null;
}

export interface StepRecord {
  role: Role;
  adapter: string;
  model: string | null;
  status: StepStatus;
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number | null;
  usage: Record<string, number> | null;
  costUsd: number | null;
  summary: string | null;
  error: RunError | null;
  transcript: string | null;
  /** The sandbox the step's processes ran in (absent in manifests of older versions). */
  sandbox?: SandboxRecord | null;
}

export interface CommandRecord {
  role: string;
  command: string;
  cwd: string;
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  timedOut: boolean;
  stdout: string | null;
  stderr: string | null;
  sandbox?: SandboxRecord | null;
}

export interface ArtifactRecord {
  path: string;
  sha256: string;
  bytes: number;
  /** `gzip`: stored at `<path>.gz`; `sha256` and `bytes` are of the uncompressed content. */
  encoding?: 'gzip';
  truncated?: { bytes: number; sha256: string } | null;
}

export interface RunManifest {
  version: 1;
  orchestrator: { version: string; node: string };
  run: {
    id: string;
    branch: string;
    createdAt: string;
    pid: number;
    forced: string | null;
    worktree: string;
    /** --no-commit: changes stay uncommitted in the worktree (kept after the run). */
    noCommit?: boolean;
    /** Process groups of the commands and agents running now. */
    children?: number[];
  };
  task: { id: string; title: string };
  trigger: {
    request: string | null;
    actor: string;
    baseCommit: string;
    /** The request for changes this run answers. */
    feedback?: { run: string; by: string; message: string } | null;
  };
  spec: { path: string; blob: string | null; lastReview: string; approvalDigests: string[] } | null;
  steps: StepRecord[];
  commands: CommandRecord[];
  diff: {
    artifact: string;
    files: string[];
    insertions: number;
    deletions: number;
    baseCommit: string;
    headCommit: string | null;
  } | null;
  review: Record<string, unknown> | null;
  result: { status: RunStatus; reason: string | null; error: RunError | null };
  heartbeat: { at: string; pid: number } | null;
  resumes: { at: string; fromStep: string; pid: number }[];
  artifacts: ArtifactRecord[];
  redactions: number;
  /** Findings the run's integrity rests on (schemas/run-manifest.schema.json `integrity`). */
  integrity?: IntegrityFinding[];
  signoffs?: SignOff[];
}

export type IntegrityCode =
  'SymlinkEscape' | 'GitMetadataFile' | 'GitConfigChanged' | 'MainCheckoutChanged' | 'OutsideWrite';

export interface IntegrityFinding {
  code: IntegrityCode;
  /** The step during (or, for the diff's findings, in review of) which it was seen. */
  step: Role;
  file: string | null;
  message: string;
}

export interface SignOff {
  by: string;
  at: string;
  decision: 'approve' | 'request-changes';
  comment?: string | null;
  /** sha256 of the manifest's canonical JSON without `signoffs`, when it was signed. */
  manifestSha256: string;
  source: 'cli' | 'github';
  url?: string | null;
}
