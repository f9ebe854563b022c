import { type Answer, mapAction } from './actions.js';
import type { RequestView } from './request-view.js';
import {
  actionKeyOf,
  DEFAULT_USAGE,
  isHostile,
  type Scenario,
  type Script,
  scriptLabel,
  type Step,
  type Usage,
} from './scenario.js';

/** Which script and step answered a request, for the request log. */
export interface PlayedStep {
  script?: string;
  scriptIndex?: number;
  /** Assistant actions in the request's history. */
  position: number;
  /** Index in the script's `steps` of the step that answered. */
  step?: number;
  /** `else` when the step's condition failed and its else branch played. */
  branch?: 'then' | 'else';
  /** The action key or hostile kind that played. */
  played?: string;
}

interface Common {
  meta: PlayedStep;
  model: string;
  /** Milliseconds to wait before answering. */
  hang?: number;
}

export type Play = Common &
  (
    | { kind: 'answer'; answer: Answer; usage: Required<Usage> }
    | { kind: 'error'; status: number; body?: unknown; retryAfter?: number }
    | { kind: 'malformed' }
    | { kind: 'drop' }
    /** The scenario cannot answer this request: a 400 naming the reason. */
    | { kind: 'refuse'; code: string; message: string }
  );

interface Slot {
  index: number;
  step: Step;
}

interface Compiled {
  script: Script;
  label: string;
  when?: RegExp;
  actions: Slot[];
  /** Hostile steps played before the action at each position (the key), in order. */
  before: Map<number, Slot[]>;
  /** The last action repeats for every later position. */
  repeats: boolean;
}

const FALLBACK_MODEL = 'cxo-scripted';

/**
 * Chooses the answer to a request: the script from the prompt text, the step from the number of
 * assistant actions in the history. Only hostile steps keep state: how often they have answered.
 */
export class ScenarioPlayer {
  private readonly compiled: Compiled[];
  private readonly counts = new Map<string, number>();

  constructor(readonly scenario: Scenario) {
    this.compiled = scenario.scripts.map((script, i) => compile(script, i));
  }

  /** Every model name the scenario reports. */
  modelNames(): string[] {
    const names = [this.scenario.model, ...this.scenario.scripts.map((s) => s.model)].filter(
      (n): n is string => typeof n === 'string',
    );
    return names.length ? [...new Set(names)] : [FALLBACK_MODEL];
  }

  /** Forgets how often hostile steps have answered. */
  reset(): void {
    this.counts.clear();
  }

  play(view: RequestView): Play {
    const position = view.position;
    const scriptIndex = this.compiled.findIndex((c) => matches(c, view.promptText));
    if (scriptIndex < 0) {
      return {
        kind: 'refuse',
        code: 'no_matching_script',
        message: `no script of the scenario matches this request; its prompt begins ${JSON.stringify(view.promptText.slice(0, 120))}`,
        meta: { position },
        model: view.model ?? this.scenario.model ?? FALLBACK_MODEL,
      };
    }
    const c = this.compiled[scriptIndex];
    const model = c.script.model ?? this.scenario.model ?? view.model ?? FALLBACK_MODEL;
    const meta: PlayedStep = { script: c.label, scriptIndex, position };

    const key = `${scriptIndex}:${position}`;
    const seen = this.counts.get(key) ?? 0;
    this.counts.set(key, seen + 1);
    let budget = 0;
    for (const slot of c.before.get(position) ?? []) {
      budget += slot.step.times ?? 1;
      if (slot.step.repeat || seen < budget) return hostile(slot, { ...meta, step: slot.index }, model);
    }

    const slot =
      position < c.actions.length
        ? c.actions[position]
        : c.repeats
          ? c.actions[c.actions.length - 1]
          : undefined;
    if (!slot) {
      return {
        kind: 'refuse',
        code: 'script_exhausted',
        message: `script "${c.label}" has ${c.actions.length} action step(s), but the request already holds ${position} assistant action(s)`,
        meta,
        model,
      };
    }
    meta.step = slot.index;
    const chosen = branch(slot.step, view.lastText);
    if (!chosen) {
      return {
        kind: 'refuse',
        code: 'no_branch',
        message: `step ${slot.index} of script "${c.label}": the last output does not meet its condition and it has no "else"`,
        meta,
        model,
      };
    }
    if (chosen !== slot.step) meta.branch = 'else';
    else if (hasCondition(slot.step)) meta.branch = 'then';
    const mapped = mapAction(chosen, view);
    meta.played = playedKey(chosen);
    if ('missing' in mapped) {
      return {
        kind: 'refuse',
        code: 'tool_not_offered',
        message: `step ${slot.index} of script "${c.label}" (${meta.played}) needs ${mapped.missing}, but the request offered ${view.tools.length ? view.tools.join(', ') : 'no tools'}`,
        meta,
        model,
      };
    }
    const usage = {
      ...DEFAULT_USAGE,
      ...this.scenario.usage,
      ...c.script.usage,
      ...slot.step.usage,
      ...(chosen !== slot.step ? chosen.usage : {}),
    };
    return { kind: 'answer', answer: mapped.answer, usage, meta, model, hang: chosen.hang ?? slot.step.hang };
  }
}

function compile(script: Script, index: number): Compiled {
  const actions: Slot[] = [];
  const before = new Map<number, Slot[]>();
  let pending: Slot[] = [];
  script.steps.forEach((step, i) => {
    if (isHostile(step)) {
      pending.push({ index: i, step });
      return;
    }
    if (pending.length) before.set(actions.length, pending);
    pending = [];
    actions.push({ index: i, step });
  });
  if (pending.length) before.set(actions.length, pending);
  const last = script.steps[script.steps.length - 1];
  return {
    script,
    label: scriptLabel(script, index),
    when: script.when_matches !== undefined ? new RegExp(script.when_matches) : undefined,
    actions,
    before,
    repeats: Boolean(last?.repeat) && !isHostile(last),
  };
}

function matches(c: Compiled, promptText: string): boolean {
  if (c.script.when !== undefined && !promptText.includes(c.script.when)) return false;
  return !c.when || c.when.test(promptText);
}

function hasCondition(step: Step): boolean {
  return step.if_last_output_contains !== undefined || step.if_last_output_matches !== undefined;
}

/** The step itself when its condition holds on the last output, else its `else` branch (recursively). */
function branch(step: Step, lastText: string): Step | undefined {
  if (!hasCondition(step)) return step;
  const holds =
    (step.if_last_output_contains === undefined || lastText.includes(step.if_last_output_contains)) &&
    (step.if_last_output_matches === undefined || new RegExp(step.if_last_output_matches).test(lastText));
  if (holds) return step;
  return step.else ? branch(step.else, lastText) : undefined;
}

function playedKey(step: Step): string {
  return actionKeyOf(step) ?? 'none';
}

function hostile(slot: Slot, meta: PlayedStep, model: string): Play {
  const { step } = slot;
  if (step.error) {
    return {
      kind: 'error',
      status: step.error.status,
      body: step.error.body,
      retryAfter: step.error.retry_after,
      hang: step.hang,
      meta: { ...meta, played: 'error' },
      model,
    };
  }
  if (step.malformed)
    return { kind: 'malformed', hang: step.hang, meta: { ...meta, played: 'malformed' }, model };
  return { kind: 'drop', hang: step.hang ?? 0, meta: { ...meta, played: 'hang' }, model };
}
