import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Output } from '../../src/cli/output.js';
import { escapeTerminal, escapeTerminalBlock } from '../../src/util/terminal-text.js';
import { makeRunRepo, runArgs } from '../helpers/run-repo.js';
import { cxo, gitIn, indexJson, makeRepo, specText, VALID_SPEC, writeFiles } from '../helpers/temp-repo.js';

// what a pull request could put in a title to spoof the terminal: set the window title, clear
// the screen, return to the line start, ring the bell, a C1 CSI, a right-to-left override
const SPOOF = '\u001b]0;pwned\u0007 \u001b[2J \r \u009b31m \u202e';
// any of these reaching stdout or stderr raw is a terminal the repository controls
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function expectNoRawControls(result: { stdout: string; stderr: string }) {
  expect(result.stdout).not.toMatch(RAW_CONTROL);
  expect(result.stderr).not.toMatch(RAW_CONTROL);
}

function spoofedRepo(): string {
  return makeRepo(
    {
      'codex.config.yaml': 'guard:\n  require_spec: false\n',
      'codex.tasks.json': indexJson([
        {
          id: 'spoof',
          title: `Fix ${SPOOF}`,
          description: `line one ${SPOOF}\nline two`,
          spec: 'specs/0001-a.md',
          prd: 'tasks/0001-prd-a.md',
          checklist: 'tasks/tasks-0001-a.md#1.1',
          acceptance: [`printf '${SPOOF}'`],
        },
      ]),
      // YAML's double-quoted escapes: \e is ESC, \a is BEL
      'specs/0001-a.md': specText({ ...VALID_SPEC, title: '"Spec \\e]0;pwned\\a \\e[2J"' }),
      'tasks/0001-prd-a.md': '---\nid: prd-a\ntitle: "PRD \\e[2J"\n---\n\n# PRD\n',
      // a markdown line can hold the raw bytes: the quoted line of the warning must not send them
      'tasks/tasks-0001-a.md': `# Tasks\n\n- [ ] 1.1 Do it \u001b[2J now\n`,
    },
    { git: true },
  );
}

describe('terminal escaping: nothing from a file or an agent reaches the terminal raw', () => {
  it('escapes C0, DEL, C1 and bidi controls visibly; a block keeps its newlines and tabs', () => {
    expect(escapeTerminal(SPOOF)).toBe('\\x1b]0;pwned\\x07 \\x1b[2J \\r \\u009b31m \\u202e');
    expect(escapeTerminal('a\nb\tc\u007f')).toBe('a\\nb\\tc\\u007f');
    expect(escapeTerminalBlock('a\nb\tc\u001b')).toBe('a\nb\tc\\x1b');
    // the \uXXXX forms are JSON escapes too: an escaped JSON document reads back the same
    const json = JSON.stringify({ t: '\u009b\u007f\u202e' });
    expect(JSON.parse(escapeTerminalBlock(json))).toEqual({ t: '\u009b\u007f\u202e' });
  });

  it('keeps its own colours on a terminal and escapes the ones in the text', () => {
    const sink = new PassThrough();
    let written = '';
    sink.on('data', (d: Buffer) => (written += d.toString()));
    const out = new Output(sink, sink, true);
    out.line(`${out.bold('t1')}  ${SPOOF}`);
    expect(written).toBe(`\u001b[1mt1\u001b[0m  ${escapeTerminal(SPOOF)}\n`);
  });

  it('tasks list, show and next, validate, guard and plan print the spoofed fields escaped', () => {
    const repo = spoofedRepo();
    for (const args of [
      ['tasks', 'list'],
      ['tasks', 'show', 'spoof'],
      ['tasks', 'next'],
      ['validate'],
      ['guard', '--now', '2026-11-02'],
      ['guard', '--now', '2026-11-02', '--format', 'github'],
      ['plan'],
      ['tasks', 'list', '--json'],
    ]) {
      const result = cxo(repo, args, { GITHUB_STEP_SUMMARY: '' });
      expectNoRawControls(result);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBeLessThan(2);
    }
    const list = cxo(repo, ['tasks', 'list']);
    expect(list.stdout).toContain('Fix \\x1b]0;pwned\\x07 \\x1b[2J \\r \\u009b31m \\u202e');
    // the title stays on its row; the description is a block and keeps its lines
    const show = cxo(repo, ['tasks', 'show', 'spoof']).stdout;
    expect(show).toContain('  line one \\x1b]0;pwned');
    expect(show).toContain('\n  line two');
  });

  it('cxo validate warns, with file:line:col, about control characters in titles, descriptions and checklist items', () => {
    const { code, stderr } = cxo(spoofedRepo(), ['validate']);
    expect(code).toBe(0);
    expect(stderr).toMatch(
      /codex\.tasks\.json:6:16: warning\[control-characters\]: task "spoof": title holds control characters \(\\x1b \\x07 \\r \\u009b \\u202e\)/,
    );
    expect(stderr).toMatch(
      /codex\.tasks\.json:7:22: warning\[control-characters\]: task "spoof": description/,
    );
    expect(stderr).toMatch(/specs\/0001-a\.md:3:8: warning\[control-characters\]: spec title holds/);
    expect(stderr).toMatch(/tasks\/0001-prd-a\.md:3:8: warning\[control-characters\]: PRD title holds/);
    // the quoted line shows the ESC escaped, and the caret still points at it
    expect(stderr).toContain(
      'tasks/tasks-0001-a.md:3:17: warning[control-characters]: checklist item 1.1 holds control characters (\\x1b)',
    );
    expect(stderr).toContain('  3 | - [ ] 1.1 Do it \\x1b[2J now\n    |                 ^');
  });

  it('a run whose builder and acceptance command print escape sequences: run, status, runs show, watch', () => {
    const repo = makeRunRepo([`printf '${SPOOF}'; exit 1`]);
    writeFiles(repo, {
      'codex.tasks.json': indexJson([
        { id: 't1', title: `Task ${SPOOF}`, acceptance: [`printf '${SPOOF}'; exit 1`] },
      ]),
    });
    gitIn(repo, 'commit', '-qam', 'spoofed task');
    const builder = `printf '\\033]0;pwned\\007\\033[2J\\r'; echo x > a.txt`;
    const run = cxo(repo, runArgs(builder));
    expectNoRawControls(run);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("$ printf '\\x1b]0;pwned\\x07");
    for (const args of [['status'], ['runs', 'list'], ['runs', 'show', 'latest'], ['watch', '--once']]) {
      const result = cxo(repo, args);
      expectNoRawControls(result);
    }
    const runId = /run (\S+) of t1/.exec(run.stdout)![1];
    const shown = cxo(repo, ['status', runId]);
    expectNoRawControls(shown);
    expect(shown.stdout).toContain('task t1: Task \\x1b]0;pwned');
  });
});
