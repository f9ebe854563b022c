import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CxoError } from '../../src/errors.js';
import {
  checkScenario,
  loadScenarioFile,
  parseScenarioText,
  ScenarioError,
} from '../../src/model-server/load-scenario.js';
import { startModelServer } from '../../src/model-server/server.js';
import type { Diagnostic } from '../../src/repo/diagnostics.js';
import { formatDiagnostic } from '../../src/repo/diagnostics.js';
import { SCENARIOS } from './helpers.js';

function diagnosticsOf(load: () => unknown): Diagnostic[] {
  try {
    load();
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    expect(e).toBeInstanceOf(CxoError);
    return (e as ScenarioError).diagnostics;
  }
  throw new Error('the scenario loaded, but it should not have');
}

const fixture = (name: string) => () => loadScenarioFile(join(SCENARIOS, name), `scenarios/${name}`);

describe('scenario files', () => {
  it('loads the roles scenario without diagnostics', () => {
    const { scenario, diagnostics } = loadScenarioFile(join(SCENARIOS, 'roles.yaml'));
    expect(diagnostics).toEqual([]);
    expect(scenario.scripts.map((s) => s.name)).toEqual(['manager', 'builder', 'reviewer']);
  });

  it('reports a YAML syntax error at its line and column', () => {
    const [d, ...rest] = diagnosticsOf(fixture('bad-syntax.yaml'));
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ file: 'scenarios/bad-syntax.yaml', line: 6, column: 1, code: 'yaml-syntax' });
    expect(d.sourceLine).toBe("     when: '# Role: builder'");
    expect(formatDiagnostic(d)).toMatch(
      /^scenarios\/bad-syntax\.yaml:6:1: error\[yaml-syntax\]: bad indentation/,
    );
  });

  it('reports schema errors at the offending values', () => {
    const found = diagnosticsOf(fixture('bad-schema.yaml')).map(formatDiagnostic);
    expect(found.map((f) => f.split('\n')[0])).toEqual([
      'scenarios/bad-schema.yaml:7:26: error[schema]: "scripts[0].steps[1].error.status" must be >= 400; found 200',
      'scenarios/bad-schema.yaml:8:15: error[schema]: "scripts[0].steps[2].hang" must be an integer, found string "soon"',
    ]);
  });

  it('reports rule errors the schema cannot express', () => {
    const found = diagnosticsOf(fixture('bad-rules.yaml'));
    expect(found.map((d) => [d.line, d.column, d.message])).toEqual([
      [5, 9, '"scripts[0].steps[0]" has more than one action (shell, message)'],
      [8, 9, '"scripts[0].steps[2]" can never play: the step before it repeats forever'],
    ]);
  });

  it('warns about unknown fields and says where, and refuses a step left without an action', () => {
    const text = 'scripts:\n  - steps:\n      - shel: npm test\n';
    const found = diagnosticsOf(() => parseScenarioText('typo.yaml', text));
    expect(found.map((d) => [d.severity, d.code, d.line, d.column])).toEqual([
      ['warning', 'unknown-field', 3, 9],
      ['error', 'scenario', 3, 9],
    ]);
    expect(found[1].message).toBe('"scripts[0].steps[0]" has no action');
  });

  it('checks regular expressions, conditions and hostile steps', () => {
    const text = [
      'scripts:',
      "  - when_matches: '(unclosed'",
      '    steps:',
      '      - error: { status: 500 }',
      '        if_last_output_contains: failed',
      '      - message: hi',
      '        times: 2',
      '      - message: bye',
      '        else: { message: other }',
      '',
    ].join('\n');
    const found = diagnosticsOf(() => parseScenarioText('rules.yaml', text));
    expect(found.map((d) => `${d.line}:${d.column} ${d.message}`)).toEqual([
      expect.stringMatching(/^2:19 invalid regular expression: /),
      '5:9 "scripts[0].steps[0]": conditions go on action steps, not on hostile ones',
      '7:9 "scripts[0].steps[1]": "times" only goes with error, malformed or a bare hang',
      '9:9 "scripts[0].steps[2]" has "else" but no if_last_output_contains or if_last_output_matches',
    ]);
  });
});

describe('scenario objects', () => {
  it('are checked by the same schema and rules, named by field', async () => {
    const found = diagnosticsOf(() => checkScenario({ scripts: [{ steps: [{ write: { path: 'a' } }] }] }));
    expect(found.map((d) => [d.file, d.message])).toEqual([
      ['<scenario>', '"scripts[0].steps[0].write" is missing required field "content"'],
    ]);
    await expect(startModelServer({ scenario: { scripts: [] } as never })).rejects.toThrow(ScenarioError);
  });
});
