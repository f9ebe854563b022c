import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/command-table.js';
import { CLI, cxo, indexJson, makeRepo, specText, VALID_SPEC } from '../helpers/temp-repo.js';

const HOOK = join(import.meta.dirname, '../helpers/trace-imports.mjs');

/** The modules a command loads, as Node resolved them. */
function modulesLoadedBy(cwd: string, args: string[]): string[] {
  const trace = join(mkdtempSync(join(tmpdir(), 'cxo-trace-')), 'modules.txt');
  const r = spawnSync(process.execPath, ['--import', HOOK, CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CXO_TRACE_FILE: trace },
  });
  expect(r.status, r.stderr).toBe(0);
  return readFileSync(trace, 'utf8').trim().split('\n');
}

const HEAVY =
  /node_modules\/(openai|@octokit|@modelcontextprotocol|listr2|chokidar|@actions)\/|dist\/(agents|github|mcp|reconcile|runs)\//;

describe('start-up cost', () => {
  const repo = makeRepo({
    'codex.tasks.json': indexJson([{ id: 'a', title: 'A', spec: 'specs/0001-a.md' }]),
    'specs/0001-a.md': specText(VALID_SPEC),
  });

  it('read commands load no agent, GitHub, MCP, watcher or listr2 module, and never compile schemas', () => {
    for (const args of [['tasks', 'list'], ['tasks', 'next'], ['tasks', 'show', 'a'], ['validate']]) {
      const loaded = modulesLoadedBy(repo, args);
      expect(loaded.filter((url) => HEAVY.test(url))).toEqual([]);
      // the validators are precompiled at build time: Ajv's compiler is never loaded
      expect(loaded.filter((url) => /node_modules\/ajv\/dist\/(ajv|core)\.js$/.test(url))).toEqual([]);
    }
  });

  it('--version loads only the entry point, the runner and the version', () => {
    const loaded = modulesLoadedBy(repo, ['--version']).filter((u) => u.startsWith('file:'));
    expect(loaded.filter((u) => u.includes('node_modules'))).toEqual([]);
    expect(loaded.length).toBeLessThanOrEqual(12);
  });

  it('tasks list does not parse YAML when there is no config', () => {
    const loaded = modulesLoadedBy(repo, ['tasks', 'list']);
    expect(loaded.filter((u) => u.includes('node_modules/yaml/'))).toEqual([]);
  });
});

describe('help', () => {
  it('every command has --help generated from the command table', () => {
    for (const command of COMMANDS) {
      const r = cxo(tmpdir(), [...command.name.split(' '), '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: cxo ${command.name}`);
      for (const option of command.options) expect(r.stdout).toContain(`--${option.name}`);
    }
  });

  it('cxo --help lists every command; unknown commands and options are usage errors (exit 2)', () => {
    const help = cxo(tmpdir(), ['--help']).stdout;
    for (const command of COMMANDS) expect(help).toContain(command.name);
    expect(cxo(tmpdir(), ['frobnicate']).code).toBe(2);
    const r = cxo(tmpdir(), ['tasks', 'list', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Unknown option '--bogus'/);
    expect(cxo(tmpdir(), ['tasks', 'show']).stderr).toMatch(/missing argument <id>/);
  });

  it('--json errors are JSON too', () => {
    const r = cxo(tmpdir(), ['tasks', 'show', 'x', '--json', '--repo', join(tmpdir(), 'does-not-exist-cxo')]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { kind: 'InvalidRepoError' } });
  });
});

describe('docs', () => {
  it('docs/cli.md matches the command table', () => {
    const r = spawnSync(
      process.execPath,
      [join(import.meta.dirname, '../../../scripts/cli-docs.mjs'), '--check'],
      {
        encoding: 'utf8',
      },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
