import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import OpenAI from 'openai';
import { ANSWER_SCHEMAS } from '../../generated/answer-schemas.js';
import { validatePlan, validateReview } from '../../generated/validators.js';
import { writeFileAtomic } from '../../repo/atomic-write.js';
import type { Role } from '../../repo/task-types.js';
import type { Agent, AgentContext, AgentResult } from '../agent.js';
import { costOfUsage } from '../usage-cost.js';
import { createConversation, type ModelTurn } from './conversation.js';
import type { ResolvedBuiltinSettings } from './settings.js';
import { WORKSPACE_TOOLS, Workspace } from './workspace-tools.js';

/** The manager and the reviewer answer with a JSON document; the others finish with a summary. */
type Structured = 'plan' | 'review';
const STRUCTURED: Partial<Record<Role, Structured>> = { manager: 'plan', reviewer: 'review' };
const READ_ONLY = new Set(['list_files', 'read_file', 'search']);

const INSTRUCTIONS: Record<Role, string> = {
  manager:
    'You plan a change to the repository in your working directory. Look around with the tools, then answer with only a JSON object: {"summary": string, "steps": [string, ...], "acceptance": [shell command, ...], "files": [path, ...], "risks": [string, ...]}. No prose around it.',
  builder:
    'You make the change the task asks for in your working directory, using the tools. Run the acceptance commands before you finish. Do not commit. Call finish with a summary when done.',
  tester:
    'You add or update tests that prove the task done, in your working directory, using the tools. Do not commit. Call finish with a summary when done.',
  reviewer:
    'You review the change in your working directory against the task and its spec. Look with the tools (git diff works), then answer with only a JSON object: {"score": number 0..1, "findings": [{"file": string|null, "line": number|null, "severity": "error"|"warning"|"info", "message": string}], "secret_leak": boolean}. An "error" finding rejects the change.',
};

/**
 * The `builtin` adapter: our own agent loop on the openai SDK, against any OpenAI-compatible
 * endpoint (Responses API or Chat Completions). Tools work in the worktree only; the manager's
 * plan and the reviewer's review are asked for as structured output (the API's JSON Schema
 * format), validated against their schemas, and an invalid one is sent back with the errors a
 * bounded number of times. Limits: turns, tokens and cost per role, and the run's budget.per_run_usd; a
 * fallback model after a 429 or 5xx that the SDK's own retries (with backoff) did not get past.
 */
export class BuiltinAgent implements Agent {
  constructor(
    readonly spec: string,
    private readonly settings: ResolvedBuiltinSettings,
  ) {}

  async run(ctx: AgentContext): Promise<AgentResult> {
    const { settings } = this;
    const structured = STRUCTURED[ctx.role];
    const client = new OpenAI({
      baseURL: settings.base_url,
      apiKey: settings.apiKey,
      maxRetries: settings.max_retries,
      timeout: ctx.timeoutMs,
    });
    const tools = WORKSPACE_TOOLS.filter((t) =>
      structured === 'plan'
        ? READ_ONLY.has(t.name)
        : structured === 'review'
          ? READ_ONLY.has(t.name) || t.name === 'run_command'
          : true,
    );
    const format =
      structured && settings.structured_output
        ? { name: structured, schema: ANSWER_SCHEMAS[structured] }
        : undefined;
    const conversation = createConversation(
      client,
      settings.api,
      INSTRUCTIONS[ctx.role],
      ctx.prompt,
      tools,
      format,
    );
    const workspace = new Workspace(ctx, {
      allow: settings.commands.allow,
      deny: settings.commands.deny,
      timeoutMs: settings.commands.timeout_seconds * 1000,
    });
    const usage = { input_tokens: 0, output_tokens: 0, turns: 0 };
    let model = settings.model;
    let repairs = 0;
    const result = (
      status: AgentResult['status'],
      summary: string,
      error?: { code: string; message: string },
      extra: AgentResult['artifacts'] = [],
    ): AgentResult => ({
      status,
      summary,
      model,
      usage,
      costUsd: costOfUsage(usage, settings.prices),
      error: error ?? null,
      artifacts: [...workspace.logs, ...extra],
    });

    for (;;) {
      if (ctx.signal.aborted) return result('cancelled', 'cancelled');
      if (usage.turns >= settings.max_turns) {
        return result('failed', `no answer after ${usage.turns} turns`, {
          code: 'MaxTurns',
          message: `builtin adapter: the model did not finish within agents.builtin.max_turns (${settings.max_turns}) turns`,
        });
      }
      let turn: ModelTurn;
      try {
        turn = await conversation.next(model, ctx.signal);
      } catch (e) {
        if (ctx.signal.aborted) return result('cancelled', 'cancelled');
        if (retryable(e) && settings.fallback_model && model !== settings.fallback_model) {
          ctx.onEvent({ type: 'fallback', from: model, to: settings.fallback_model, error: describe(e) });
          model = settings.fallback_model;
          continue;
        }
        return result('failed', describe(e), {
          code: 'ModelError',
          message: `builtin adapter: ${settings.base_url} (${model}): ${describe(e)}`,
        });
      }
      usage.turns++;
      usage.input_tokens += turn.usage.input;
      usage.output_tokens += turn.usage.output;
      ctx.onEvent({
        type: 'model_turn',
        turn: usage.turns,
        model: turn.model,
        usage: turn.usage,
        calls: turn.calls.map((c) => c.name),
      });
      const over = overBudget(usage, settings, ctx.runBudget);
      if (over)
        return result('failed', over, { code: 'BudgetExceeded', message: `builtin adapter: ${over}` });

      if (turn.calls.length > 0) {
        let finished: string | undefined;
        for (const call of turn.calls) {
          let args: Record<string, unknown>;
          try {
            args = JSON.parse(call.arguments || '{}') as Record<string, unknown>;
          } catch {
            conversation.addToolResult(
              call.id,
              `error: the arguments are not JSON: ${call.arguments.slice(0, 200)}`,
            );
            continue;
          }
          ctx.onEvent({ type: 'tool_call', name: call.name, arguments: args });
          const outcome = tools.some((t) => t.name === call.name)
            ? await workspace.call(call.name, args)
            : { ok: false, output: `error: the tool "${call.name}" is not available to the ${ctx.role}` };
          ctx.onEvent({
            type: 'tool_result',
            name: call.name,
            ok: outcome.ok,
            output: outcome.output.slice(0, 2000),
          });
          conversation.addToolResult(call.id, outcome.output);
          if (outcome.finish !== undefined) finished = outcome.finish;
        }
        if (ctx.signal.aborted) return result('cancelled', 'cancelled');
        if (finished !== undefined && !structured) return result('succeeded', finished || 'done');
        continue;
      }

      ctx.onEvent({ type: 'message', text: turn.text });
      if (!structured) return result('succeeded', turn.text.trim() || 'done');
      const checked = checkStructured(structured, turn.text);
      if (checked.ok) return finishStructured(ctx, structured, checked.value, result);
      if (repairs >= settings.repair_attempts) {
        return result('failed', `no valid ${structured} after ${repairs} repair(s)`, {
          code: structured === 'plan' ? 'InvalidPlan' : 'InvalidReview',
          message: `builtin adapter: the ${structured} is invalid: ${checked.errors}`,
        });
      }
      repairs++;
      ctx.onEvent({ type: 'repair', attempt: repairs, errors: checked.errors });
      conversation.addUserText(
        `That is not a valid ${structured}: ${checked.errors}. Answer again with only the corrected JSON object.`,
      );
    }
  }
}

type Finish = (
  status: AgentResult['status'],
  summary: string,
  error?: { code: string; message: string },
  extra?: AgentResult['artifacts'],
) => AgentResult;

/** A valid plan goes to the plan file; a valid review is kept, and an error finding rejects. */
function finishStructured(ctx: AgentContext, kind: Structured, value: unknown, result: Finish): AgentResult {
  if (kind === 'plan') {
    writeFileAtomic(ctx.planFile, `${JSON.stringify(value, null, 2)}\n`);
    return result('succeeded', (value as { summary: string }).summary);
  }
  const name = `agents/${ctx.role}.review.json`;
  const path = join(ctx.outputDir, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
  const findings = (value as { findings: { severity: string; message: string }[] }).findings;
  const errors = findings.filter((f) => f.severity === 'error');
  return errors.length
    ? result('failed', `${errors.length} error finding(s): ${errors[0].message}`, undefined, [{ name }])
    : result('succeeded', `${findings.length} finding(s), none blocking`, undefined, [{ name }]);
}

/** The JSON object in a final answer (code fences and prose around it tolerated), schema-checked. */
export function checkStructured(
  kind: Structured,
  text: string,
): { ok: true; value: unknown } | { ok: false; errors: string } {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end < start) return { ok: false, errors: 'the answer holds no JSON object' };
  let value: unknown;
  try {
    value = JSON.parse(text.slice(start, end + 1));
  } catch (e) {
    return { ok: false, errors: `the JSON does not parse: ${(e as Error).message}` };
  }
  const validate = kind === 'plan' ? validatePlan : validateReview;
  if (validate(value)) return { ok: true, value };
  return {
    ok: false,
    errors: (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; '),
  };
}

function retryable(e: unknown): boolean {
  if (e instanceof OpenAI.APIConnectionError) return true;
  return (
    e instanceof OpenAI.APIError && typeof e.status === 'number' && (e.status === 429 || e.status >= 500)
  );
}

function describe(e: unknown): string {
  // the SDK's message starts with the status already
  return (e as Error).message ?? String(e);
}

function overBudget(
  usage: { input_tokens: number; output_tokens: number },
  s: ResolvedBuiltinSettings,
  run: AgentContext['runBudget'],
): string | undefined {
  const tokens = usage.input_tokens + usage.output_tokens;
  if (tokens > s.max_tokens) return `${tokens} tokens used, over agents.builtin.max_tokens (${s.max_tokens})`;
  const cost = costOfUsage(usage, s.prices);
  if (cost === null) return undefined;
  if (s.max_cost_usd !== undefined && cost > s.max_cost_usd) {
    return `$${cost.toFixed(4)} spent, over agents.builtin.max_cost_usd ($${s.max_cost_usd})`;
  }
  if (run && run.spentUsd + cost > run.capUsd) {
    return `$${cost.toFixed(4)} spent in this step and $${run.spentUsd.toFixed(4)} before it in the run, over budget.per_run_usd ($${run.capUsd})`;
  }
  return undefined;
}
