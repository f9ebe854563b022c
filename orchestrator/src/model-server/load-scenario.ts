import { readFileSync } from 'node:fs';
import { CxoError, ExitCode } from '../errors.js';
import { validateModelScenario } from '../generated/tool-validators.js';
import { type Diagnostic, diagnostic, hasErrors } from '../repo/diagnostics.js';
import { parseYamlBlock } from '../repo/front-matter.js';
import type { JsonPath } from '../repo/json-document.js';
import { type Locate, validateWithSchema } from '../repo/schema-validation.js';
import { decodeSource } from '../repo/source-text.js';
import { ACTION_KEYS, isHostile, type Scenario, type Step } from './scenario.js';

/** A scenario that cannot be played; its diagnostics say where and why. */
export class ScenarioError extends CxoError {
  constructor(message: string, diagnostics: Diagnostic[]) {
    super(message, ExitCode.Usage, { diagnostics });
  }
}

export interface LoadedScenario {
  scenario: Scenario;
  /** Warnings (unknown fields); errors are thrown as a ScenarioError. */
  diagnostics: Diagnostic[];
}

/** Reads and checks a YAML scenario; `displayName` is the file name diagnostics carry. */
export function loadScenarioFile(path: string, displayName = path): LoadedScenario {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const d = diagnostic('error', 'io', `cannot read the scenario: ${(e as Error).message}`, {
      file: displayName,
    });
    throw new ScenarioError(`cannot read scenario ${displayName}`, [d]);
  }
  return parseScenarioText(displayName, bytes);
}

/** Parses scenario YAML: syntax, schema and rule errors become file:line:col diagnostics. */
export function parseScenarioText(file: string, bytes: Uint8Array | string): LoadedScenario {
  const decoded = decodeSource(file, typeof bytes === 'string' ? Buffer.from(bytes) : bytes);
  if (!decoded.source) throw new ScenarioError(`scenario ${file} is unreadable`, decoded.diagnostics);
  const { text } = decoded.source;
  const parsed = parseYamlBlock(decoded.source, {
    yamlStart: 0,
    yamlEnd: text.length,
    bodyStart: text.length,
  });
  if (!parsed.doc) throw new ScenarioError(`scenario ${file} is not valid YAML`, parsed.diagnostics);
  return finish(file, parsed.doc.data, parsed.doc.locate, parsed.diagnostics);
}

/** Checks a scenario given as an object (the library API); diagnostics name the field instead of a line. */
export function checkScenario(value: unknown, name = '<scenario>'): LoadedScenario {
  const locate: Locate = (_path, severity, code, message, hint) =>
    diagnostic(severity, code, message, { file: name }, { hint });
  return finish(name, value, locate, []);
}

function finish(file: string, data: unknown, locate: Locate, found: Diagnostic[]): LoadedScenario {
  const diagnostics = [...found, ...validateWithSchema(validateModelScenario, data, locate)];
  if (!hasErrors(diagnostics)) diagnostics.push(...checkRules(data as Scenario, locate));
  if (hasErrors(diagnostics)) throw new ScenarioError(`scenario ${file} is invalid`, diagnostics);
  return { scenario: data as Scenario, diagnostics };
}

/** What the schema cannot say: one action per step, where conditions and repeats may go, valid regexes. */
function checkRules(scenario: Scenario, locate: Locate): Diagnostic[] {
  const out: Diagnostic[] = [];
  scenario.scripts.forEach((script, i) => {
    if (script.when_matches !== undefined)
      checkRegex(script.when_matches, ['scripts', i, 'when_matches'], locate, out);
    script.steps.forEach((step, j) => {
      const path: JsonPath = ['scripts', i, 'steps', j];
      checkStep(step, path, locate, out, false);
      if (step.repeat && j < script.steps.length - 1) {
        out.push(
          locate(
            ['scripts', i, 'steps', j + 1],
            'error',
            'scenario',
            `${field(['scripts', i, 'steps', j + 1])} can never play: the step before it repeats forever`,
            'a step with `repeat: true` must be the last step of its script',
          ),
        );
      }
    });
  });
  return out;
}

function checkStep(step: Step, path: JsonPath, locate: Locate, out: Diagnostic[], inElse: boolean): void {
  const at = (key: string, message: string, hint?: string) =>
    out.push(locate([...path, key], 'error', 'scenario', message, hint, 'key'));
  const name = field(path);
  const actions = ACTION_KEYS.filter((k) => step[k] !== undefined);
  const hostile = step.error !== undefined || step.malformed === true;
  if (actions.length > 1) {
    at(actions[1], `${name} has more than one action (${actions.join(', ')})`, 'split it into one step each');
  }
  if (hostile && actions.length > 0) {
    at(
      step.error !== undefined ? 'error' : 'malformed',
      `${name} is both a hostile answer and an action (${actions[0]})`,
      'a step either acts or fails; put the failure in a step of its own before the action',
    );
  }
  if (step.error !== undefined && step.malformed === true)
    at('malformed', `${name} has both "error" and "malformed"`);
  if (actions.length === 0 && !hostile && step.hang === undefined) {
    out.push(
      locate(
        path,
        'error',
        'scenario',
        `${name} has no action`,
        `give one of ${ACTION_KEYS.join(', ')}, or error, malformed or hang`,
      ),
    );
  }
  if (step.workdir !== undefined && step.shell === undefined)
    at('workdir', `${name}: "workdir" only goes with "shell"`);
  if (step.tool?.arguments !== undefined && step.tool.raw_arguments !== undefined)
    at('tool', `${name}: give the tool either "arguments" or "raw_arguments", not both`);
  const conditional = step.if_last_output_contains !== undefined || step.if_last_output_matches !== undefined;
  if (step.if_last_output_matches !== undefined)
    checkRegex(step.if_last_output_matches, [...path, 'if_last_output_matches'], locate, out);
  if (step.else !== undefined && !conditional)
    at('else', `${name} has "else" but no if_last_output_contains or if_last_output_matches`);
  if (isHostile(step)) {
    if (conditional) {
      at(
        step.if_last_output_contains !== undefined ? 'if_last_output_contains' : 'if_last_output_matches',
        `${name}: conditions go on action steps, not on hostile ones`,
      );
    }
    if (step.times !== undefined && step.repeat) at('times', `${name} has both "times" and "repeat"`);
  } else if (step.times !== undefined) {
    at(
      'times',
      `${name}: "times" only goes with error, malformed or a bare hang`,
      'use `repeat: true` on actions',
    );
  }
  if (inElse) {
    if (isHostile(step))
      out.push(locate(path, 'error', 'scenario', `${name}: an "else" branch must be an action`));
    if (step.repeat) at('repeat', `${name}: "repeat" goes on the step, not on its "else" branch`);
  }
  if (step.else !== undefined) checkStep(step.else, [...path, 'else'], locate, out, true);
}

function checkRegex(pattern: string, path: JsonPath, locate: Locate, out: Diagnostic[]): void {
  try {
    new RegExp(pattern);
  } catch (e) {
    out.push(locate(path, 'error', 'scenario', `invalid regular expression: ${(e as Error).message}`));
  }
}

function field(path: JsonPath): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${key}` : key;
  return `"${out}"`;
}
