/** A model scenario as written (schemas/model-scenario.schema.json, docs/model-server.md). */
export interface Scenario {
  /** Reported in every answer; without it the request's own model name is echoed. */
  model?: string;
  /** Default token usage of every answer. */
  usage?: Usage;
  scripts: Script[];
}

export interface Usage {
  input_tokens?: number;
  output_tokens?: number;
  cached_input_tokens?: number;
}

export interface Script {
  name?: string;
  /** Substring of the request's prompt text that selects this script. */
  when?: string;
  /** Regular expression over the prompt text that selects this script. */
  when_matches?: string;
  model?: string;
  usage?: Usage;
  steps: Step[];
}

/** One entry of a script: an action the model takes, or a hostile answer. */
export interface Step {
  shell?: string;
  /** Directory for `shell` (Codex passes it as `workdir`; other clients get a `cd`). */
  workdir?: string;
  write?: { path: string; content: string };
  edit?: { path: string; old: string; new: string };
  read?: string;
  tool?: { name: string; arguments?: Record<string, unknown>; raw_arguments?: string; unoffered?: boolean };
  message?: string;
  json?: unknown;
  finish?: string;
  error?: { status: number; body?: unknown; retry_after?: number };
  malformed?: boolean;
  /** Milliseconds to wait before answering; alone, the connection is dropped after the wait. */
  hang?: number;
  /** How many requests a hostile step answers before the script moves on (default 1). */
  times?: number;
  /** A hostile step that never ends, or an action replayed for every later position. */
  repeat?: boolean;
  if_last_output_contains?: string;
  if_last_output_matches?: string;
  else?: Step;
  usage?: Usage;
}

/** The keys that make a step an action: exactly one of them per action step. */
export const ACTION_KEYS = ['shell', 'write', 'edit', 'read', 'tool', 'message', 'json', 'finish'] as const;
export type ActionKey = (typeof ACTION_KEYS)[number];

export const DEFAULT_USAGE: Required<Usage> = {
  input_tokens: 100,
  output_tokens: 20,
  cached_input_tokens: 0,
};

/** The action key of a step, if it has exactly one. */
export function actionKeyOf(step: Step): ActionKey | undefined {
  const keys = ACTION_KEYS.filter((k) => step[k] !== undefined);
  return keys.length === 1 ? keys[0] : undefined;
}

/** A hostile step answers with an error, a broken body or a dropped connection instead of an action. */
export function isHostile(step: Step): boolean {
  if (step.error !== undefined || step.malformed === true) return true;
  return step.hang !== undefined && ACTION_KEYS.every((k) => step[k] === undefined);
}

export function scriptLabel(script: Script, index: number): string {
  return script.name ?? `#${index}`;
}
