import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { CxoError, ExitCode } from '../errors.js';
import { validateEvalScenario } from '../generated/tool-validators.js';
import { loadScenarioFile, ScenarioError } from '../model-server/load-scenario.js';
import { type Diagnostic, hasErrors, sortDiagnostics } from '../repo/diagnostics.js';
import { parseYamlBlock } from '../repo/front-matter.js';
import { type Locate, validateWithSchema } from '../repo/schema-validation.js';
import { decodeSource } from '../repo/source-text.js';
import type { EvalScenario, LoadedEvalScenario } from './scenario-types.js';

/** Scenario files that cannot be used; nothing was run. */
export class EvalScenarioError extends CxoError {
  constructor(message: string, diagnostics: Diagnostic[]) {
    super(message, ExitCode.Usage, { diagnostics: sortDiagnostics(diagnostics) });
  }
}

/** `<evalDir>/scenarios/*.yaml`, every one checked; all problems are reported together. */
export function loadEvalScenarios(root: string, evalDir: string): LoadedEvalScenario[] {
  const dir = join(evalDir, 'scenarios');
  if (!existsSync(dir))
    throw new EvalScenarioError(`no scenarios: ${relative(root, dir) || dir} does not exist`, []);
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  const loaded: LoadedEvalScenario[] = [];
  const problems: Diagnostic[] = [];
  for (const name of files) {
    const file = relative(root, join(dir, name)).split('\\').join('/');
    const result = parseEvalScenario(file, readFileSync(join(dir, name)), evalDir);
    problems.push(...result.diagnostics);
    if (result.scenario) loaded.push({ scenario: result.scenario, file, evalDir });
  }
  if (hasErrors(problems)) throw new EvalScenarioError('invalid evaluation scenarios', problems);
  return loaded;
}

/** Parses one scenario: YAML, schema and rule errors become file:line:col diagnostics. */
export function parseEvalScenario(
  file: string,
  bytes: Uint8Array,
  evalDir: string,
): { scenario?: EvalScenario; diagnostics: Diagnostic[] } {
  const decoded = decodeSource(file, bytes);
  if (!decoded.source) return { diagnostics: decoded.diagnostics };
  const { text } = decoded.source;
  const parsed = parseYamlBlock(decoded.source, {
    yamlStart: 0,
    yamlEnd: text.length,
    bodyStart: text.length,
  });
  if (!parsed.doc) return { diagnostics: parsed.diagnostics };
  const { data, locate } = parsed.doc;
  const diagnostics = [...parsed.diagnostics, ...validateWithSchema(validateEvalScenario, data, locate)];
  if (hasErrors(diagnostics)) return { diagnostics };
  const scenario = data as unknown as EvalScenario;
  diagnostics.push(...checkRules(scenario, file, evalDir, locate));
  return hasErrors(diagnostics) ? { diagnostics } : { scenario, diagnostics };
}

/** What the schema cannot say: names that must exist, exclusive choices, and a grading a no-op cannot pass. */
function checkRules(s: EvalScenario, file: string, evalDir: string, locate: Locate): Diagnostic[] {
  const out: Diagnostic[] = [];
  const err = (path: (string | number)[], message: string, hint?: string, part?: 'key' | 'value') =>
    out.push(locate(path, 'error', 'eval-scenario', message, hint, part));

  const stem = basename(file).replace(/\.ya?ml$/, '');
  if (s.id !== stem) err(['id'], `the id "${s.id}" must match the file name "${stem}"`, `rename one of them`);

  if (s.source.fixture !== undefined) {
    const dir = resolve(evalDir, s.source.fixture);
    if (relative(evalDir, dir).startsWith('..'))
      err(['source', 'fixture'], `the fixture "${s.source.fixture}" is outside the evaluation directory`);
    else if (!existsSync(dir) || !statSync(dir).isDirectory())
      err(['source', 'fixture'], `the fixture directory "${s.source.fixture}" does not exist`);
  }

  s.inject?.forEach((edit, i) => {
    const replace = edit.file !== undefined || edit.find !== undefined || edit.replace !== undefined;
    if (edit.patch !== undefined && replace)
      err(['inject', i], 'an inject edit is either {file, find, replace} or {patch}, not both');
    else if (
      edit.patch === undefined &&
      (edit.file === undefined || edit.find === undefined || edit.replace === undefined)
    )
      err(['inject', i], 'an inject edit needs file, find and replace (or a patch)');
  });

  const p = s.pipeline;
  if (p.model !== undefined && p.pattern !== undefined)
    err(['pipeline', 'pattern'], 'a pipeline has a model or a pattern, not both', undefined, 'key');
  if (p.pattern !== undefined && p.roles?.builder !== undefined)
    err(
      ['pipeline', 'roles', 'builder'],
      'with a pattern the builder is pattern:<id>; drop roles.builder',
      undefined,
      'key',
    );
  if (p.model === undefined && p.pattern === undefined && p.roles?.builder === undefined)
    err(
      ['pipeline'],
      'the pipeline needs a model (scripted agent), a pattern or roles.builder',
      undefined,
      'key',
    );
  if (p.real_provider && p.model === undefined)
    err(['pipeline', 'real_provider'], 'real_provider needs a model to fall back on', undefined, 'key');
  if (p.model !== undefined) {
    const modelFile = resolve(evalDir, p.model);
    if (!existsSync(modelFile)) err(['pipeline', 'model'], `the model scenario "${p.model}" does not exist`);
    else {
      try {
        loadScenarioFile(modelFile, relative(resolve(evalDir, '..'), modelFile));
      } catch (e) {
        if (!(e instanceof ScenarioError)) throw e;
        err(['pipeline', 'model'], `the model scenario "${p.model}" is invalid`);
        out.push(...e.diagnostics);
      }
    }
  }

  const f2p = s.tests?.fail_to_pass ?? [];
  const p2p = new Set(s.tests?.pass_to_pass ?? []);
  f2p.forEach((name, i) => {
    if (p2p.has(name))
      err(['tests', 'fail_to_pass', i], `"${name}" is in both fail_to_pass and pass_to_pass`);
  });
  const a = s.assert ?? {};
  if (a.tests_pass && !s.goals?.test)
    err(['assert', 'tests_pass'], 'tests_pass needs goals.test', undefined, 'key');
  a.goals_pass?.forEach((goal, i) => {
    if (!s.goals?.[goal])
      err(['assert', 'goals_pass', i], `goals_pass names "${goal}", which goals does not define`);
  });
  if (f2p.length === 0 && !a.files_changed && !a.pattern_applied) {
    err(
      [],
      'nothing in this scenario fails for a no-op pipeline, so grading would pass a change that does nothing',
      'give tests.fail_to_pass, assert.files_changed or assert.pattern_applied',
    );
  }
  return out;
}
