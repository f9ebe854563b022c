import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/command-table.js';
import { CLI, cxo, indexJson, makeRepo, PROJECT_ROOT, specText, VALID_SPEC } from '../helpers/temp-repo.js';

const HOOK = join(import.meta.dirname, '../helpers/trace-imports.mjs');
const META = JSON.parse(readFileSync(join(PROJECT_ROOT, 'dist/bin/meta.json'), 'utf8')) as {
  outputs: Record<string, { inputs: Record<string, unknown> }>;
};

/**
 * The source modules a command loads: the bundle's chunks Node resolved, mapped back to the
 * sources each chunk holds through esbuild's metafile.
 */
function sourcesLoadedBy(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): string[] {
  const trace = join(mkdtempSync(join(tmpdir(), 'cxo-trace-')), 'modules.txt');
  const r = spawnSync(process.execPath, ['--import', HOOK, CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env, CXO_TRACE_FILE: trace },
  });
  expect([0, 1], r.stderr).toContain(r.status);
  const chunks = readFileSync(trace, 'utf8')
    .trim()
    .split('\n')
    .filter((url) => url.startsWith('file:'))
    .map((url) => relative(PROJECT_ROOT, fileURLToPath(url)).split(sep).join('/'));
  for (const chunk of chunks) expect(META.outputs[chunk], `${chunk} is not a bundle output`).toBeDefined();
  return chunks.flatMap((chunk) => Object.keys(META.outputs[chunk].inputs));
}

const HEAVY =
  /node_modules\/(openai|@octokit|@modelcontextprotocol|listr2|chokidar|@actions|diff|eslint|@ast-grep)\/|dist\/(agents|github|mcp|reconcile|runs)\/|dist\/patterns\/(apply-pattern|transformer)\.js/;

describe('start-up cost', () => {
  const repo = makeRepo({
    'codex.tasks.json': indexJson([{ id: 'a', title: 'A', spec: 'specs/0001-a.md' }]),
    'specs/0001-a.md': specText(VALID_SPEC),
  });

  it('read commands load no agent, GitHub, MCP, watcher or listr2 module, and never compile schemas', () => {
    for (const args of [
      ['tasks', 'list'],
      ['tasks', 'next'],
      ['tasks', 'show', 'a'],
      ['validate'],
      ['guard'],
      ['patterns', 'list'],
      ['patterns', 'show', 'buffer-constructor'],
    ]) {
      const loaded = sourcesLoadedBy(repo, args);
      expect(loaded.filter((source) => HEAVY.test(source))).toEqual([]);
      // the validators of the tools' inputs (library index, scenarios) are for their own commands
      if (args[0] !== 'patterns')
        expect(loaded.filter((source) => source.includes('generated/tool-validators'))).toEqual([]);
      // the validators are precompiled at build time: Ajv's compiler is never loaded
      expect(
        loaded.filter((source) =>
          /node_modules\/ajv\/dist\/(ajv|core)\.js$|ajv\/dist\/compile\//.test(source),
        ),
      ).toEqual([]);
    }
  });

  it('cxo eval report renders a stored evaluation without loading the harness that ran it', () => {
    const dir = join(repo, '.runs/eval/eval-20261121T000000Z-abcdef');
    mkdirSync(dir, { recursive: true });
    const report = {
      kind: 'cxo-eval-report',
      version: 1,
      id: 'eval-20261121T000000Z-abcdef',
      startedAt: '2026-11-21T00:00:00.000Z',
      endedAt: '2026-11-21T00:00:01.000Z',
      durationMs: 1000,
      orchestrator: { version: '0.1.0', node: process.version },
      provider: 'scripted',
      summary: { scenarios: 0, full: 0, partial: 0, none: 0, error: 0, tokens: 0, costUsd: null },
      scenarios: [],
      comparison: null,
    };
    writeFileSync(join(dir, 'report.json'), JSON.stringify(report));
    const loaded = sourcesLoadedBy(repo, ['eval', 'report']);
    expect(loaded.some((source) => source.includes('dist/eval/report.js'))).toBe(true);
    expect(
      loaded.filter((source) =>
        /dist\/(eval\/(run-|pipeline|prepare|fetch|grade)|model-server|runs)\//.test(source),
      ),
    ).toEqual([]);
  });

  it('the check sees heavy modules when a command does load them', () => {
    const outputs = join(mkdtempSync(join(tmpdir(), 'cxo-gh-')), 'output');
    writeFileSync(outputs, '');
    const loaded = sourcesLoadedBy(repo, ['guard', '--format', 'github'], { GITHUB_OUTPUT: outputs });
    expect(loaded.some((source) => source.includes('node_modules/@actions/core/'))).toBe(true);
  });

  it('--version loads only the entry point and the version', () => {
    expect(sourcesLoadedBy(repo, ['--version']).sort()).toEqual([
      'dist/cli/main.js',
      'dist/generated/version.js',
    ]);
  });

  it('tasks list does not parse YAML when there is no config', () => {
    expect(sourcesLoadedBy(repo, ['tasks', 'list']).filter((u) => u.includes('node_modules/yaml/'))).toEqual(
      [],
    );
  });

  it("tasks list loads neither YAML nor the other files' validators once the config was read", () => {
    const configured = makeRepo(
      {
        'codex.tasks.json': indexJson([{ id: 'a', title: 'A' }]),
        'codex.config.yaml': 'version: 1\nconcurrency: 2\n',
      },
      { git: true },
    );
    const heavy = (sources: string[]) =>
      sources.filter((u) => u.includes('node_modules/yaml/') || u.endsWith('dist/generated/validators.js'));
    // the first read parses the config (and checks it against its schema); later ones use the cache
    expect(heavy(sourcesLoadedBy(configured, ['tasks', 'list']))).not.toEqual([]);
    const loaded = sourcesLoadedBy(configured, ['tasks', 'list']);
    expect(heavy(loaded)).toEqual([]);
    // the index's own validator is a module of its own (`tasks next` loads the others: it reads specs)
    expect(loaded).toContain('dist/generated/index-validators.js');
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
