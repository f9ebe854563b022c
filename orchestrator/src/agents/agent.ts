import type { Redactor } from '../runs/redaction.js';
import type { Sandbox } from '../runs/sandbox/sandbox.js';
import type { Role, Task } from '../repo/task-types.js';

/** Everything an adapter needs to play one role in one run. */
export interface AgentContext {
  role: Role;
  task: Task;
  runId: string;
  /** The assembled, redacted prompt, and the file holding it. */
  prompt: string;
  promptFile: string;
  /** Where the manager must write its plan (plan.json); others may read it. */
  planFile: string;
  /** The run's worktree: the only place an agent works. */
  workdir: string;
  /** Absolute run directory, for the adapter's logs and transcript. */
  outputDir: string;
  /** Scrubbed environment for the agent's processes. */
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  signal: AbortSignal;
  redactor: Redactor;
  maxLogBytes: number;
  /** The agent's own events (commands it ran, messages), for the transcript; never evidence. */
  onEvent: (event: Record<string, unknown>) => void;
  /** Process groups the adapter starts and ends, so the run can kill them if it is killed itself. */
  onSpawn?: (pid: number) => void;
  onExit?: (pid: number) => void;
  /** Where the agent's processes run (see Agent.sandboxFor); none given: no sandbox. */
  sandbox?: Sandbox;
  /**
   * `budget.per_run_usd` and what the run's earlier steps cost: an adapter that sees its cost as it
   * goes stops once the two together pass the cap (the pipeline checks the others after the step).
   */
  runBudget?: { capUsd: number; spentUsd: number };
}

export interface AgentResult {
  status: 'succeeded' | 'failed' | 'cancelled';
  summary: string;
  model?: string | null;
  usage?: Record<string, number> | null;
  costUsd?: number | null;
  error?: { code: string; message: string } | null;
  /** Run-directory-relative artifacts the adapter wrote (logs), to be hashed into the manifest. */
  artifacts: { name: string; truncated?: { bytes: number; sha256: string } }[];
}

/** One way to drive a coding agent. */
export interface Agent {
  /** `ADAPTER[:ARGUMENT]` as configured, for the manifest. */
  readonly spec: string;
  /** The sandbox of the agent's processes, from the run's: an agent that talks to a model endpoint needs the network. */
  sandboxFor?(sandbox: Sandbox): Sandbox;
  run(context: AgentContext): Promise<AgentResult>;
}
