import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BAD_INPUTS } from '../helpers/bad-inputs.js';
import { cxo, gitIn, indexJson, makeRepo, specText } from '../helpers/temp-repo.js';

const NOW = '2026-11-21';
const SPEC = specText({
  id: 'auth',
  title: 'Auth',
  status: 'approved',
  owners: ['ada'],
  risk: 'low',
  last_review: '2026-11-01',
  covers: ['src/auth/**'],
});

function repo(extra: Record<string, string> = {}) {
  const dir = makeRepo(
    {
      'codex.config.yaml': 'files:\n  governed_roots: ["src/**"]\n',
      'codex.tasks.json': indexJson([{ id: 'a', title: 'A', spec: 'specs/0001-auth.md' }]),
      'specs/0001-auth.md': SPEC,
      'src/auth/login.ts': 'export const login = 1;\n',
      'src/auth/session.ts': 'export const session = 1;\n',
      'src/util/x.ts': 'export const x = 1;\n',
      ...extra,
    },
    { git: true },
  );
  gitIn(dir, 'checkout', '-q', '-b', 'feature');
  return dir;
}

function commitAll(dir: string, message = 'change') {
  gitIn(dir, 'add', '-A');
  gitIn(dir, 'commit', '-q', '-m', message);
}

function guardJson(dir: string, args: string[] = []) {
  const r = cxo(dir, ['guard', '--now', NOW, '--json', ...args]);
  return { code: r.code, report: r.stdout ? JSON.parse(r.stdout) : undefined, stderr: r.stderr };
}

const messages = (report: { violations: { message: string }[] }) => report.violations.map((v) => v.message);

describe('cxo guard: diff coverage against real git history', () => {
  it('passes when nothing governed changed, and on a single-commit repository', () => {
    const dir = repo();
    expect(guardJson(dir, ['--base', 'main'])).toMatchObject({
      code: 0,
      report: { passed: true, range: { changedFiles: 0 } },
    });
  });

  it('covered code changed without its spec is a violation; changing the spec in the same range fixes it', () => {
    const dir = repo();
    writeFileSync(join(dir, 'src/auth/login.ts'), 'export const login = 2;\n');
    commitAll(dir);
    const failed = guardJson(dir, ['--base', 'main']);
    expect(failed.code).toBe(1);
    expect(messages(failed.report)).toEqual([
      'src/auth/login.ts changed, but spec "auth" (specs/0001-auth.md), which covers it, did not',
    ]);
    // a review bump is a change to the spec: the person attests the spec still holds
    writeFileSync(
      join(dir, 'specs/0001-auth.md'),
      SPEC.replace('last_review: 2026-11-01', 'last_review: 2026-11-20'),
    );
    commitAll(dir, 'review');
    expect(guardJson(dir, ['--base', 'main']).code).toBe(0);
  });

  it('renames count for the old and the new path; deletions count', () => {
    const dir = repo();
    renameSync(join(dir, 'src/auth/session.ts'), join(dir, 'src/util/session.ts'));
    rmSync(join(dir, 'src/auth/login.ts'));
    commitAll(dir);
    const { report } = guardJson(dir, ['--base', 'main']);
    expect(messages(report)).toEqual([
      'src/auth/login.ts changed, but spec "auth" (specs/0001-auth.md), which covers it, did not',
      'src/auth/session.ts changed, but spec "auth" (specs/0001-auth.md), which covers it, did not',
      'src/util/session.ts changed under the governed roots, but no spec covers it',
    ]);
  });

  it('code under the governed roots that no spec covers is a violation', () => {
    const dir = repo();
    writeFileSync(join(dir, 'src/util/x.ts'), 'export const x = 2;\n');
    writeFileSync(join(dir, 'README.md'), 'not governed\n');
    commitAll(dir);
    expect(messages(guardJson(dir, ['--base', 'main']).report)).toEqual([
      'src/util/x.ts changed under the governed roots, but no spec covers it',
    ]);
  });

  it('a missing base says what to fetch (exit 2)', () => {
    const dir = repo();
    const r = cxo(dir, ['guard', '--base', 'origin/main']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/git ref "origin\/main" is not in this clone/);
    expect(r.stderr).toMatch(/hint: fetch it first, e\.g\. `git fetch origin origin\/main`/);
  });

  it('a shallow clone says to unshallow or set fetch-depth', () => {
    const origin = repo();
    writeFileSync(join(origin, 'src/util/x.ts'), 'export const x = 2;\n');
    commitAll(origin, 'second');
    const clone = join(mkdtempSync(join(tmpdir(), 'cxo-shallow-')), 'c');
    const r = spawnSync(
      'git',
      ['clone', '-q', '--depth', '1', '--branch', 'feature', `file://${origin}`, clone],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    const out = cxo(clone, ['guard', '--base', 'HEAD~1']);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/this clone is shallow: run `git fetch --unshallow`/);
    expect(out.stderr).toMatch(/fetch-depth: 0/);
  });
});

describe('cxo guard: overrides and output', () => {
  function staleRepo() {
    return repo({ 'specs/0001-auth.md': SPEC.replace('last_review: 2026-11-01', 'last_review: 2026-01-01') });
  }

  it('fails on a stale spec with exit 1; text output has no colours when piped', () => {
    const r = cxo(staleRepo(), ['guard', '--now', NOW]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^specs\/0001-auth\.md$/m);
    expect(r.stdout).toMatch(/specs\/0001-auth\.md:7:14: error\[freshness\]: spec "auth" is stale/);
    expect(r.stdout).toMatch(
      /spec guard failed: 1 specs, 1 tasks, evaluated on 2026-11-21: 1 error\(s\), 0 warning\(s\)/,
    );
    expect(r.stdout).not.toContain('\x1b[');
  });

  it('--override passes with a warning and appends an audit record', () => {
    const dir = staleRepo();
    const r = cxo(dir, ['guard', '--now', NOW, '--override', 'hotfix for incident 42']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/guard overridden by Test Person \(flag\): hotfix for incident 42/);
    const records = readFileSync(join(dir, '.runs/guard/overrides.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records).toEqual([
      expect.objectContaining({
        reason: 'hotfix for incident 42',
        by: 'Test Person',
        source: 'flag',
        violations: [expect.objectContaining({ rule: 'freshness', file: 'specs/0001-auth.md', line: 7 })],
      }),
    ]);
  });

  it('a Spec-Guard-Override trailer on the head commit overrides; one elsewhere in the message does not', () => {
    const dir = staleRepo();
    gitIn(
      dir,
      'commit',
      '-q',
      '--allow-empty',
      '-m',
      'docs\n\nSpec-Guard-Override: mentioned in the body is fine\nbut not a trailer',
    );
    expect(cxo(dir, ['guard', '--now', NOW]).code).toBe(1);
    gitIn(
      dir,
      'commit',
      '-q',
      '--allow-empty',
      '-m',
      'urgent fix\n\nSigned-off-by: Ada <a@x>\nSpec-Guard-Override: incident 7, spec update follows',
    );
    const { code, report } = guardJson(dir);
    expect(code).toBe(0);
    expect(report.override).toMatchObject({
      source: 'trailer',
      reason: 'incident 7, spec update follows',
      violations: 1,
    });
  });

  it('a configured pull request label overrides (GitHub event payload)', () => {
    const dir = staleRepo();
    const event = join(dir, '..', 'event.json');
    writeFileSync(
      event,
      JSON.stringify({ pull_request: { labels: [{ name: 'bug' }, { name: 'spec-guard-override' }] } }),
    );
    const r = cxo(dir, ['guard', '--now', NOW, '--json'], {
      GITHUB_EVENT_PATH: event,
      GITHUB_ACTOR: 'octocat',
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).override).toMatchObject({ source: 'label', by: 'octocat' });
  });

  it('the JSON report is versioned and carries positions', () => {
    const { report } = guardJson(staleRepo());
    expect(report).toMatchObject({
      version: 1,
      passed: false,
      now: NOW,
      counts: { errors: 1, warnings: 0, specs: 1, tasks: 1 },
    });
    expect(report.violations[0]).toMatchObject({
      rule: 'freshness',
      file: 'specs/0001-auth.md',
      line: 7,
      column: 14,
      severity: 'error',
    });
  });

  it('usage errors exit 2', () => {
    const dir = repo();
    expect(cxo(dir, ['guard', '--now', '2026-02-30']).code).toBe(2);
    expect(cxo(dir, ['guard', '--format', 'xml']).code).toBe(2);
    expect(cxo(dir, ['guard', '--head', 'HEAD']).stderr).toMatch(/--head needs --base/);
  });

  it('an unparseable index is reported as a structure violation (exit 1)', () => {
    const dir = repo({ 'codex.tasks.json': '{"version": 1, "tasks": [}' });
    const { code, report } = guardJson(dir);
    expect(code).toBe(1);
    expect(report.violations[0]).toMatchObject({ rule: 'structure', code: 'json-syntax', line: 1 });
  });

  it('a warm run gives the same report as a cold one', () => {
    const dir = staleRepo();
    const cold = guardJson(dir).report;
    const warm = guardJson(dir).report;
    expect(warm).toEqual(cold);
    expect(guardJson(dir, ['--no-cache']).report).toEqual(cold);
  });
});

describe('cxo guard on every bad input from the repo model', () => {
  for (const [name, files, expected] of BAD_INPUTS) {
    it(`${name}: a structure violation, exit 1 (exit 2 for a broken config)`, () => {
      const dir = makeRepo(files);
      const r = cxo(dir, ['guard', '--now', NOW]);
      if (expected.source.startsWith('codex\\.config\\.yaml')) {
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(expected);
        return;
      }
      expect(r.code).toBe(1);
      expect(r.stdout.replace(/\[structure\]/g, '')).toMatch(
        new RegExp(expected.source.replace(/error\\\[[a-z-]+\\\]/, 'error')),
      );
    });
  }
});
