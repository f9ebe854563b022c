import type { AssertionOutcome, Resolved, TestOutcome } from './grade.js';
import type { GoalName } from './scenario-types.js';

export type Stage = 'source' | 'inject' | 'setup' | 'baseline' | 'pipeline' | 'grade';

/** `<scenario>/result.json`: what one scenario did. Paths are relative (to the result directory or the temp repo). */
export interface ScenarioResult {
  scenario: string;
  file: string;
  title: string | null;
  kind: 'agent' | 'pattern' | 'command';
  source: string;
  provider: 'scripted' | 'real' | null;
  resolved: Resolved;
  /** Why it is not `full`, or what went wrong for `error`. */
  reason: string;
  error: { stage: Stage; message: string } | null;
  startedAt: string;
  durationMs: number;
  stages: Partial<Record<Stage, number>>;
  goals: Partial<Record<GoalName, { before: number | null; after: number | null }>>;
  tests: { fail_to_pass: TestOutcome[]; pass_to_pass: TestOutcome[] };
  assertions: AssertionOutcome[];
  pipeline: {
    exitCode: number | null;
    runId: string | null;
    status: string | null;
    reason: string | null;
    errorCode: string | null;
    /** In the temporary repository, and copied beside result.json as run-manifest.json. */
    manifest: string | null;
    adapters: Record<string, string>;
    changedFiles: string[];
  } | null;
  usage: { input_tokens: number; output_tokens: number; total_tokens: number };
  costUsd: number | null;
  /** Relative to the scenario's result directory. */
  logs: string[];
  /** Where the temporary repository was kept (--keep), else null. */
  kept: string | null;
}
