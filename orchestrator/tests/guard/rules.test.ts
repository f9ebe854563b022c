import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gateTask } from '../../src/guard/dispatch-gate.js';
import { evaluateGuard } from '../../src/guard/engine.js';
import { approvalsOf, freshnessOf } from '../../src/guard/spec-health.js';
import { parseUtcDay, utcDayOf } from '../../src/guard/utc-date.js';
import { defaultConfig } from '../../src/repo/config.js';
import { loadRepo } from '../../src/repo/load-repo.js';
import { specDigest } from '../../src/repo/spec-digest.js';
import type { SpecFields } from '../../src/repo/spec-types.js';
import { indexJson, makeRepo, specText } from '../helpers/temp-repo.js';

const day = (d: string) => parseUtcDay(d)!;
const fields = (over: Partial<SpecFields> = {}): SpecFields => ({
  id: 's',
  title: 'S',
  status: 'approved',
  owners: ['ada'],
  risk: 'medium',
  last_review: '2026-10-22',
  ...over,
});

describe('UTC days', () => {
  it('rejects impossible dates and handles leap years', () => {
    expect(parseUtcDay('2026-02-30')).toBeUndefined();
    expect(parseUtcDay('2026-02-29')).toBeUndefined();
    expect(parseUtcDay('2028-02-29')! + 1).toBe(parseUtcDay('2028-03-01'));
    expect(parseUtcDay('2026-13-01')).toBeUndefined();
  });

  it('takes the day in UTC, not in the local time zone', () => {
    expect(utcDayOf(new Date('2026-11-21T23:30:00-05:00'))).toBe(day('2026-11-22'));
    expect(utcDayOf(new Date('2026-11-22T00:30:00+02:00'))).toBe(day('2026-11-21'));
  });
});

describe('freshness', () => {
  const config = defaultConfig();

  it('is fresh through the last day of the interval and stale the day after', () => {
    expect(freshnessOf(fields(), config, day('2026-11-21'))).toMatchObject({
      state: 'expiring',
      daysLeft: 0,
      freshThrough: '2026-11-21',
    });
    expect(freshnessOf(fields(), config, day('2026-11-22'))).toMatchObject({ state: 'stale', ageDays: 31 });
    expect(freshnessOf(fields(), config, day('2026-11-01')).state).toBe('fresh');
  });

  it('warns from warn_days_before days before the first stale day', () => {
    // first stale day 2026-11-22; 7 days before it is 2026-11-15
    expect(freshnessOf(fields(), config, day('2026-11-15')).state).toBe('expiring');
    expect(freshnessOf(fields(), config, day('2026-11-14')).state).toBe('fresh');
  });

  it('uses review_interval_days, else the config interval for the risk, else 30', () => {
    const withRisk = { ...config, freshness: { ...config.freshness, days: { high: 7 } } };
    expect(freshnessOf(fields({ risk: 'high' }), withRisk, day('2026-10-30')).state).toBe('stale');
    expect(
      freshnessOf(fields({ risk: 'high', review_interval_days: 90 }), withRisk, day('2026-12-30')).state,
    ).toBe('fresh');
    expect(freshnessOf(fields({ risk: 'low' }), withRisk, day('2026-11-21')).intervalDays).toBe(30);
  });

  it('across a leap day', () => {
    const f = fields({ last_review: '2028-02-28', review_interval_days: 1 });
    expect(freshnessOf(f, config, day('2028-02-29')).state).not.toBe('stale');
    expect(freshnessOf(f, config, day('2028-03-01')).state).toBe('stale');
  });

  it('a review in the future is an error state', () => {
    expect(freshnessOf(fields({ last_review: '2026-12-01' }), config, day('2026-11-21')).state).toBe(
      'future',
    );
  });
});

describe('approvals', () => {
  const body = '\n# Design\n\nUse a token bucket.\nFive attempts per minute.\n';
  const spec = (f: SpecFields, b = body) => ({ fields: f, doc: { body: b } });

  it('an edit of the body or a governing field invalidates an approval; whitespace does not', () => {
    const f = fields();
    const approved = fields({ approvals: [{ by: 'grace', at: '2026-11-21', digest: specDigest(f, body) }] });
    const config = defaultConfig();
    expect(approvalsOf(spec(approved), config).ok).toBe(true);
    const rewrapped = '\n# Design\n\n  Use a token bucket. Five attempts\n   per minute.\n\n';
    expect(approvalsOf(spec(approved, rewrapped), config).ok).toBe(true);
    const edited = approvalsOf(spec(approved, body.replace('Five', 'Ten')), config);
    expect(edited).toMatchObject({ ok: false, missingCount: 1 });
    expect(edited.stale.map((a) => a.by)).toEqual(['grace']);
    expect(approvalsOf(spec({ ...approved, covers: ['src/**'] }), config).ok).toBe(false);
    // review bumps and status changes are not governing fields
    expect(approvalsOf(spec({ ...approved, last_review: '2026-11-25', status: 'approved' }), config).ok).toBe(
      true,
    );
  });

  it('high risk needs approvers other than the owners, and configured roles', () => {
    const f = fields({ risk: 'high', owners: ['ada'] });
    const d = specDigest(f, body);
    const config = defaultConfig();
    config.approvals.high = {
      count: 2,
      roles: ['security'],
      distinct_from_owners: true,
      require_signature: false,
    };
    const check = (approvals: SpecFields['approvals']) => approvalsOf(spec({ ...f, approvals }), config);
    expect(
      check([
        { by: 'ada', at: '2026-11-21', digest: d },
        { by: 'bo', at: '2026-11-21', digest: d },
      ]),
    ).toMatchObject({
      ok: false,
      missingCount: 1,
      missingRoles: ['security'],
    });
    expect(
      check([
        { by: 'bo', at: '2026-11-21', digest: d },
        { by: 'bo', role: 'security', at: '2026-11-21', digest: d },
      ]).missingCount,
    ).toBe(1); // one person counts once
    expect(
      check([
        { by: 'bo', at: '2026-11-21', digest: d },
        { by: 'cy', role: 'security', at: '2026-11-21', digest: d },
      ]).ok,
    ).toBe(true);
  });
});

describe('guard rules over a repository', () => {
  const spec = (over: Record<string, unknown>) =>
    specText({
      id: 'auth',
      title: 'Auth',
      status: 'approved',
      owners: ['ada'],
      risk: 'low',
      last_review: '2026-11-01',
      ...over,
    });

  async function guard(files: Record<string, string>, now = '2026-11-21', rules = {}) {
    const dir = makeRepo(files);
    const model = await loadRepo(dir);
    model.config.guard.rules = rules;
    return evaluateGuard({ model, today: day(now), manifests: new Map() }).map(
      (v) => `${v.severity} ${v.rule}: ${v.message}`,
    );
  }

  it('a requested task whose spec is stale fails freshness and the dispatch gate', async () => {
    const out = await guard({
      'codex.tasks.json': indexJson([{ id: 'a', title: 'A', spec: 'specs/0001-auth.md', request: 'r1' }]),
      'specs/0001-auth.md': spec({ last_review: '2026-09-01' }),
    });
    expect(out).toEqual([
      'error dispatch-gate: task "a" is requested but may not run: StaleSpec (spec auth was due for review after 2026-10-01)',
      'error freshness: spec "auth" is stale: last reviewed 2026-09-01, 81 days before 2026-11-21; its review interval is 30 days',
    ]);
  });

  it('a draft spec governing a requested task fails approval; one no task needs is left alone', async () => {
    const out = await guard({
      'codex.tasks.json': indexJson([
        { id: 'a', title: 'A', spec: 'specs/0001-auth.md', request: 'r1' },
        { id: 'b', title: 'B', spec: 'specs/0002-x.md' },
      ]),
      'specs/0001-auth.md': spec({ status: 'draft' }),
      'specs/0002-x.md': spec({ id: 'x', status: 'draft' }),
    });
    expect(out).toEqual([
      expect.stringMatching(/^error dispatch-gate: task "a" is requested but may not run: Unapproved/),
      'error approval: spec "auth" is draft, but task a is requested',
    ]);
  });

  it('a request already handled (observedRequest) does not make a task active', async () => {
    const out = await guard({
      'codex.tasks.json': indexJson([
        {
          id: 'a',
          title: 'A',
          spec: 'specs/0001-auth.md',
          request: 'r1',
          status: { phase: 'failed', observedRequest: 'r1' },
        },
      ]),
      'specs/0001-auth.md': spec({ status: 'draft' }),
    });
    expect(out).toEqual([]);
  });

  it('severities come from the config: warning downgrades, off drops', async () => {
    const files = {
      'codex.tasks.json': indexJson([]),
      'specs/0001-auth.md': spec({ last_review: '2026-01-01' }),
    };
    expect(await guard(files, '2026-11-21', { freshness: 'warning' })).toEqual([
      expect.stringMatching(/^warning freshness/),
    ]);
    expect(await guard(files, '2026-11-21', { freshness: 'off' })).toEqual([]);
  });

  it('dependencies that failed or are not done hold a task at the gate', async () => {
    const dir = makeRepo({
      'codex.tasks.json': indexJson([
        { id: 'dep1', title: 'D1', status: { phase: 'failed' } },
        { id: 'dep2', title: 'D2' },
        { id: 'a', title: 'A', dependsOn: ['dep1', 'dep2'] },
      ]),
    });
    const model = await loadRepo(dir);
    model.config.guard.require_spec = false;
    const gate = gateTask(
      model.index.byId.get('a')!,
      model.index,
      undefined,
      model.config,
      day('2026-11-21'),
    );
    expect(gate.reasons.map((r) => r.reason)).toEqual(['DependencyFailed', 'DependencyNotReady']);
  });

  it('index consistency: review and done tasks need their own valid manifest', async () => {
    const manifest = { version: 1, run: { id: 'r1' }, task: { id: 'a' }, result: { status: 'review' } };
    const dir = makeRepo({
      'codex.tasks.json': indexJson([
        {
          id: 'a',
          title: 'A',
          status: { phase: 'review', lastRun: { id: 'r1', manifest: '.runs/a/r1/manifest.json' } },
        },
        { id: 'b', title: 'B', status: { phase: 'done' } },
        {
          id: 'c',
          title: 'C',
          status: { phase: 'done', lastRun: { id: 'r2', manifest: '.runs/c/r2/manifest.json' } },
        },
        {
          id: 'd',
          title: 'D',
          status: { phase: 'done', lastRun: { id: 'r1', manifest: '.runs/a/r1/manifest.json' } },
        },
      ]),
      '.runs/a/r1/manifest.json': JSON.stringify(manifest),
    });
    const { checkManifest } = await import('../../src/repo/manifest-check.js');
    const model = await loadRepo(dir);
    const manifests = new Map(
      ['.runs/a/r1/manifest.json', '.runs/c/r2/manifest.json'].map(
        (p) => [p, checkManifest(dir, p)] as const,
      ),
    );
    const out = evaluateGuard({ model, today: day('2026-11-21'), manifests }).map((v) => v.message);
    expect(out).toEqual([
      'task "b" is done but its status names no run manifest',
      'task "c" is done but its manifest .runs/c/r2/manifest.json does not exist',
      'manifest .runs/a/r1/manifest.json is for task a run r1, not task d run r1',
    ]);
    writeFileSync(join(dir, '.runs/a/r1/manifest.json'), '{"version": 1}');
    expect(checkManifest(dir, '.runs/a/r1/manifest.json').problems[0].message).toMatch(
      /missing required field "run"/,
    );
  });
});

describe('dispatch-gate rule severities', () => {
  it('a requested task waiting for a dependency is not a violation; a failed dependency is a warning', async () => {
    const today = parseUtcDay('2026-11-21')!;
    const approved = specText({
      id: 'x',
      title: 'X',
      status: 'approved',
      owners: ['ada'],
      risk: 'low',
      last_review: '2026-11-20',
    });
    const dir = makeRepo({
      'codex.tasks.json': indexJson([
        { id: 'dep', title: 'Dep' },
        { id: 'broken', title: 'Broken', status: { phase: 'failed' } },
        { id: 'waits', title: 'W', spec: 'specs/0001-x.md', dependsOn: ['dep'], request: 'r1' },
        { id: 'stuck', title: 'S', spec: 'specs/0001-x.md', dependsOn: ['broken'], request: 'r1' },
      ]),
      'specs/0001-x.md': approved,
    });
    const model = await loadRepo(dir);
    const out = evaluateGuard({ model, today, manifests: new Map() }).map(
      (v) => `${v.severity} ${v.task}: ${v.message}`,
    );
    expect(out).toEqual([
      'warning stuck: task "stuck" is requested but may not run: DependencyFailed (dependency broken is failed)',
    ]);
  });
});
