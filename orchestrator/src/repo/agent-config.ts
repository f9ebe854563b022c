/**
 * The shapes of the adapters' blocks in codex.config.yaml (`agents.builtin`, `agents.codex`,
 * `agents.claude`). They describe the file, so they live with the config; the adapters read them
 * from here, and nothing in repo/ depends on an adapter.
 */

/** USD per million tokens: what a step's reported usage costs. */
export interface Prices {
  input_per_mtok: number;
  output_per_mtok: number;
}

/** codex.config.yaml `agents.builtin`: the built-in agent loop's endpoint and limits. */
export interface BuiltinSettings {
  base_url: string;
  api: 'responses' | 'chat';
  model: string;
  fallback_model?: string;
  api_key_env: string;
  max_turns: number;
  max_tokens: number;
  max_cost_usd?: number;
  prices?: Prices;
  max_retries: number;
  repair_attempts: number;
  /** Ask for the plan and the review in the API's JSON Schema format (off for endpoints without it). */
  structured_output: boolean;
  commands: { allow: string[]; deny: string[]; timeout_seconds: number };
}

export type CodexMode = 'exec' | 'app-server' | 'mcp-server';
export type CodexSandbox = 'read-only' | 'workspace-write' | 'danger-full-access';

/** Regular expressions a request must match (allow, when not empty) and must not match (deny). */
export interface PolicyLists {
  allow: string[];
  deny: string[];
}

/** codex.config.yaml `agents.codex`: how the Codex CLI is driven. */
export interface CodexSettings {
  /** The `codex` launcher: a name on PATH or a path. */
  binary: string;
  mode: CodexMode;
  /** Passed as the model; Codex's own default when absent. */
  model?: string;
  /** The Responses API endpoint, set up as a model provider through `-c` overrides. */
  base_url: string;
  api_key_env: string;
  sandbox: CodexSandbox;
  /** app-server only (mcp-server 0.153 knows on-request alone): when Codex asks before running a command. */
  approval_policy: 'untrusted' | 'on-request';
  /** Codex's own retries of a failed model request or stream. */
  max_retries: number;
  /** Answers to Codex's approval requests (app-server, mcp-server): commands, then changed file paths. */
  commands: PolicyLists;
  files: PolicyLists;
  /** The cost of a step: Codex's reported usage times these; no cost without them. */
  prices?: Prices;
}

/** codex.config.yaml `agents.claude`: how Claude Code is driven. */
export interface ClaudeSettings {
  /** The `claude` binary: a name on PATH or a path. */
  binary: string;
  /** Passed as --model; Claude Code's own default when absent. */
  model?: string;
  /** ANTHROPIC_BASE_URL: the Messages API endpoint (Claude Code appends /v1/messages). */
  base_url: string;
  api_key_env: string;
  /** --allowedTools: what Claude Code may use without asking (in -p mode nobody could answer). */
  allowed_tools: string[];
  /** --max-turns, when set. */
  max_turns?: number;
  /** Only when Claude Code reports no total_cost_usd of its own. */
  prices?: Prices;
}
