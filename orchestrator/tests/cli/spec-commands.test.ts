import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { approvalsOf } from '../../src/guard/spec-health.js';
import { defaultConfig } from '../../src/repo/config.js';
import { parseSpec } from '../../src/repo/markdown-docs.js';
import { specDigest } from '../../src/repo/spec-digest.js';
import { cxo, gitIn, indexJson, makeRepo, read, specText, VALID_SPEC } from '../helpers/temp-repo.js';

const TODAY = new Date().toISOString().slice(0, 10);
const INDEX = indexJson([]);

function parsed(dir: string, file: string) {
  const result = parseSpec({ file, text: read(dir, file).replace(/^\ufeff/, ''), bom: false, eol: '\n' });
  expect(result.diagnostics).toEqual([]);
  return result.spec!;
}

function approvalState(dir: string, file: string, text = read(dir, file)) {
  const spec = parseSpec({ file, text, bom: false, eol: '\n' }).spec!;
  return approvalsOf(spec, defaultConfig());
}

function specRepo(fields: Record<string, unknown> = {}, extra: Record<string, string> = {}) {
  return makeRepo(
    {
      'codex.tasks.json': INDEX,
      'specs/0001-a.md': specText({ ...VALID_SPEC, ...fields }),
      ...extra,
    },
    { git: true },
  );
}

describe('cxo spec new', () => {
  it('writes specs/0001-<slug>.md from the template in a repository without specs, and it validates', () => {
    const dir = makeRepo({ 'codex.tasks.json': INDEX }, { git: true });
    const r = cxo(dir, ['spec', 'new', '--title', 'Rate-limit the Login endpoint, per account!']);
    expect(r.code, r.stderr).toBe(0);
    const file = 'specs/0001-rate-limit-the-login-endpoint.md';
    expect(r.stdout).toContain(`created ${file}`);
    const text = read(dir, file);
    expect(text.slice(0, text.indexOf('\n---\n') + 5)).toBe(
      [
        '---',
        'id: rate-limit-the-login-endpoint',
        'title: "Rate-limit the Login endpoint, per account!"',
        'status: draft',
        'owners: [Test Person]',
        'risk: medium',
        `last_review: ${TODAY}`,
        '---',
        '',
      ].join('\n'),
    );
    for (const section of [
      '# Rate-limit the Login endpoint, per account!',
      '## Context',
      '## Design',
      '## Acceptance',
      '## Risks',
      '## Out of scope',
    ])
      expect(text).toContain(`\n${section}\n`);
    const spec = parsed(dir, file);
    expect(spec.fields).toEqual({
      id: 'rate-limit-the-login-endpoint',
      title: 'Rate-limit the Login endpoint, per account!',
      status: 'draft',
      owners: ['Test Person'],
      risk: 'medium',
      last_review: TODAY,
    });
    const v = cxo(dir, ['validate']);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/1 specs/);
  });

  it('numbers after the highest existing 4-digit file and takes --id, --risk, --owner and --covers', () => {
    const dir = specRepo(
      {},
      { 'specs/0007-b.md': specText({ ...VALID_SPEC, id: 'spec-b' }), 'specs/README.md': 'x' },
    );
    const r = cxo(dir, [
      'spec',
      'new',
      '--title',
      'Ünïcode   title: with many more than five words',
      '--id',
      'custom.id',
      '--risk',
      'high',
      '--owner',
      'ada',
      '--owner',
      'grace',
      '--covers',
      'src/auth/**',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.file).toBe('specs/0008-unicode-title-with-many-more.md');
    expect(parsed(dir, out.file).fields).toMatchObject({
      id: 'custom.id',
      title: 'Ünïcode title: with many more than five words',
      owners: ['ada', 'grace'],
      risk: 'high',
      covers: ['src/auth/**'],
    });
    expect(cxo(dir, ['validate']).code).toBe(0);
  });

  it('refuses a duplicate or invalid id, a bad risk and a missing title, writing nothing', () => {
    const dir = specRepo();
    const before = readdirSync(join(dir, 'specs'));
    const dup = cxo(dir, ['spec', 'new', '--title', 'Another', '--id', 'spec-a']);
    expect(dup.code).toBe(2);
    expect(dup.stderr).toMatch(/a spec with id "spec-a" already exists: specs\/0001-a\.md/);
    const slugDup = cxo(dir, ['spec', 'new', '--title', 'Spec A']);
    expect(slugDup.code).toBe(2);
    expect(slugDup.stderr).toMatch(/already exists/);
    expect(cxo(dir, ['spec', 'new', '--title', 'X', '--id', '-bad']).code).toBe(2);
    expect(cxo(dir, ['spec', 'new', '--title', 'X', '--risk', 'extreme']).code).toBe(2);
    expect(cxo(dir, ['spec', 'new']).code).toBe(2);
    expect(cxo(dir, ['spec', 'new', '--title', 'X', '--covers', '../outside/**']).code).toBe(2);
    expect(readdirSync(join(dir, 'specs'))).toEqual(before);
  });

  it('--commit commits only the new spec with the Spec-Id trailer', () => {
    const dir = specRepo();
    writeFileSync(join(dir, 'other.txt'), 'staged\n');
    gitIn(dir, 'add', 'other.txt');
    const r = cxo(dir, ['spec', 'new', '--title', 'Committed spec', '--commit']);
    expect(r.code, r.stderr).toBe(0);
    expect(gitIn(dir, 'show', '--name-only', '--format=', 'HEAD').trim()).toBe(
      'specs/0002-committed-spec.md',
    );
    expect(gitIn(dir, 'log', '-1', '--format=%B').trim()).toBe(
      'cxo(spec committed-spec): new\n\nSpec-Id: committed-spec',
    );
    expect(gitIn(dir, 'diff', '--cached', '--name-only').trim()).toBe('other.txt');
  });
});

describe('cxo spec review', () => {
  it('changes exactly the last_review line', () => {
    const dir = specRepo();
    const before = read(dir, 'specs/0001-a.md');
    const r = cxo(dir, ['spec', 'review', 'spec-a', '--now', '2026-12-01']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('last_review 2026-11-01 -> 2026-12-01');
    expect(read(dir, 'specs/0001-a.md')).toBe(
      before.replace('last_review: 2026-11-01\n', 'last_review: 2026-12-01\n'),
    );
    const again = cxo(dir, ['spec', 'review', 'spec-a', '--now', '2026-12-01']);
    expect(again.stdout).toMatch(/already reviewed on 2026-12-01; nothing changed/);
  });

  it('defaults to today and keeps CRLF, a BOM, comments, unknown order and the body byte for byte', () => {
    const text = [
      '---',
      '# a comment before the fields',
      'title: "Spec A"   # quoted, with a comment',
      'id: spec-a',
      'status: draft',
      'owners:',
      '  - ada',
      'risk: low',
      'last_review: 2026-01-02 # reviewed at the kick-off',
      'covers: ["src/**"]',
      '---',
      '',
      '# Spec',
      '',
      'Body   with  odd   spacing.  ',
      '',
    ].join('\r\n');
    const dir = makeRepo({ 'codex.tasks.json': INDEX, 'specs/0001-a.md': `\ufeff${text}` }, { git: true });
    const r = cxo(dir, ['spec', 'review', 'specs/0001-a.md']);
    expect(r.code, r.stderr).toBe(0);
    const after = readFileSync(join(dir, 'specs/0001-a.md'), 'utf8');
    expect(after).toBe(`\ufeff${text.replace('last_review: 2026-01-02 #', `last_review: ${TODAY} #`)}`);
    const changed = after.split('\r\n').filter((line, i) => line !== `\ufeff${text}`.split('\r\n')[i]);
    expect(changed).toEqual([`last_review: ${TODAY} # reviewed at the kick-off`]);
  });

  it('rejects dates that do not exist and writes nothing', () => {
    const dir = specRepo();
    const before = read(dir, 'specs/0001-a.md');
    for (const date of ['2026-02-30', '2026-13-01', '26-01-01', 'yesterday']) {
      const r = cxo(dir, ['spec', 'review', 'spec-a', '--now', date]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/is not a real date/);
    }
    expect(read(dir, 'specs/0001-a.md')).toBe(before);
  });

  it('keeps approvals valid, and --commit commits only the spec', () => {
    const dir = specRepo({ risk: 'medium' });
    expect(cxo(dir, ['spec', 'approve', 'spec-a', '--by', 'grace', '--commit']).code).toBe(0);
    writeFileSync(join(dir, 'other.txt'), 'staged\n');
    gitIn(dir, 'add', 'other.txt');
    const r = cxo(dir, ['spec', 'review', 'spec-a', '--now', '2026-12-24', '--commit']);
    expect(r.code, r.stderr).toBe(0);
    expect(approvalState(dir, 'specs/0001-a.md')).toMatchObject({ ok: true, stale: [] });
    expect(gitIn(dir, 'show', '--name-only', '--format=', 'HEAD').trim()).toBe('specs/0001-a.md');
    expect(gitIn(dir, 'log', '-1', '--format=%B').trim()).toBe('cxo(spec spec-a): review\n\nSpec-Id: spec-a');
    expect(gitIn(dir, 'diff', '--cached', '--name-only').trim()).toBe('other.txt');
  });
});

describe('cxo spec approve', () => {
  it('adds an approval whose digest is specDigest of the file; whitespace edits keep it, word edits make it stale', () => {
    const dir = specRepo();
    const r = cxo(dir, [
      'spec',
      'approve',
      'spec-a',
      '--by',
      'grace',
      '--role',
      'security',
      '--now',
      '2026-11-02',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const spec = parsed(dir, 'specs/0001-a.md');
    expect(spec.fields.approvals).toEqual([
      { by: 'grace', role: 'security', at: '2026-11-02', digest: specDigest(spec.fields, spec.doc.body) },
    ]);
    expect(specDigest(spec.fields, spec.doc.body)).toMatch(/^sha256:[0-9a-f]{64}$/);
    const text = read(dir, 'specs/0001-a.md');
    expect(approvalState(dir, 'specs/0001-a.md', text)).toMatchObject({ ok: true, stale: [] });
    const rewrapped = text.replace('\n# Spec\n\nBody.\n', '\n# Spec\n\n   Body.\n\n\n');
    expect(rewrapped).not.toBe(text);
    expect(approvalState(dir, 'specs/0001-a.md', rewrapped)).toMatchObject({ stale: [] });
    expect(approvalState(dir, 'specs/0001-a.md', rewrapped).valid).toHaveLength(1);
    const reworded = text.replace('Body.', 'Body changed.');
    const stale = approvalState(dir, 'specs/0001-a.md', reworded);
    expect(stale.valid).toEqual([]);
    expect(stale.stale.map((a) => a.by)).toEqual(['grace']);
  });

  it('a second approval by the same person replaces the first', () => {
    const dir = specRepo();
    expect(cxo(dir, ['spec', 'approve', 'spec-a', '--by', 'grace', '--now', '2026-11-02']).code).toBe(0);
    expect(cxo(dir, ['spec', 'approve', 'spec-a', '--by', 'bob', '--now', '2026-11-02']).code).toBe(0);
    const r = cxo(dir, [
      'spec',
      'approve',
      'spec-a',
      '--by',
      'grace',
      '--role',
      'security',
      '--now',
      '2026-11-03',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /approved spec-a as grace \(security\) \(specs\/0001-a\.md\), replacing grace's approval of 2026-11-02/,
    );
    const approvals = parsed(dir, 'specs/0001-a.md').fields.approvals!;
    expect(approvals.map((a) => [a.by, a.role, a.at])).toEqual([
      ['grace', 'security', '2026-11-03'],
      ['bob', undefined, '2026-11-02'],
    ]);
    const same = cxo(dir, [
      'spec',
      'approve',
      'spec-a',
      '--by',
      'grace',
      '--role',
      'security',
      '--now',
      '2026-11-03',
    ]);
    expect(same.stdout).toMatch(/nothing changed/);
  });

  it('medium risk: one approval (by default from git user.name) makes a draft approved', () => {
    const dir = specRepo({ risk: 'medium' });
    const before = read(dir, 'specs/0001-a.md');
    const r = cxo(dir, ['spec', 'approve', 'spec-a', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ status: 'approved', statusChanged: true, missing: [] });
    expect(out.approval).toMatchObject({ by: 'Test Person', at: TODAY });
    const after = read(dir, 'specs/0001-a.md');
    expect(parsed(dir, 'specs/0001-a.md').fields.status).toBe('approved');
    // only the status line changes and the approvals block is added at the end of the front matter
    expect(after).toBe(
      before
        .replace('status: draft\n', 'status: approved\n')
        .replace(
          '\n---\n',
          `\napprovals:\n  - by: Test Person\n    at: ${TODAY}\n    digest: ${out.approval.digest}\n---\n`,
        ),
    );
  });

  it('high risk: owners do not count, and two non-owners are needed', () => {
    const dir = specRepo({ risk: 'high', owners: ['ada'] });
    const owner = cxo(dir, ['spec', 'approve', 'spec-a', '--by', 'ada']);
    expect(owner.code, owner.stderr).toBe(0);
    expect(owner.stdout).toMatch(
      /status stays draft; still missing: approvals by owners do not count for high risk/,
    );
    expect(owner.stdout).toMatch(/2 more approvals needed/);
    const first = cxo(dir, ['spec', 'approve', 'spec-a', '--by', 'grace']);
    expect(first.stdout).toMatch(/still missing: 1 more approval needed/);
    expect(parsed(dir, 'specs/0001-a.md').fields.status).toBe('draft');
    const second = cxo(dir, ['spec', 'approve', 'spec-a', '--by', 'bob']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/status: draft -> approved/);
    expect(parsed(dir, 'specs/0001-a.md').fields.status).toBe('approved');
    expect(approvalState(dir, 'specs/0001-a.md')).toMatchObject({ ok: true });
  });

  it('names a required role that is missing', () => {
    const dir = specRepo(
      { risk: 'medium' },
      { 'codex.config.yaml': 'approvals:\n  medium: { count: 1, roles: [security] }\n' },
    );
    const r = cxo(dir, ['spec', 'approve', 'spec-a', '--by', 'grace']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/still missing: needs role security/);
    expect(parsed(dir, 'specs/0001-a.md').fields.status).toBe('draft');
    const ok = cxo(dir, ['spec', 'approve', 'spec-a', '--by', 'bob', '--role', 'security']);
    expect(ok.stdout).toMatch(/status: draft -> approved/);
  });

  it('--commit commits only the spec with the trailer; another staged file stays staged', () => {
    const dir = specRepo();
    writeFileSync(join(dir, 'other.txt'), 'staged\n');
    gitIn(dir, 'add', 'other.txt');
    const r = cxo(dir, ['spec', 'approve', 'spec-a', '--by', 'grace', '--commit']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\(commit [0-9a-f]{12}\)/);
    expect(gitIn(dir, 'show', '--name-only', '--format=', 'HEAD').trim()).toBe('specs/0001-a.md');
    expect(gitIn(dir, 'log', '-1', '--format=%B').trim()).toBe(
      'cxo(spec spec-a): approve\n\nSpec-Id: spec-a',
    );
    expect(gitIn(dir, 'diff', '--cached', '--name-only').trim()).toBe('other.txt');
    expect(gitIn(dir, 'status', '--porcelain', '--', 'specs').trim()).toBe('');
  });

  it('refuses a spec whose front matter is invalid, quoting the problem', () => {
    const dir = makeRepo(
      {
        'codex.tasks.json': INDEX,
        'specs/0001-a.md': specText({ ...VALID_SPEC, risk: 'extreme' }),
      },
      { git: true },
    );
    const before = read(dir, 'specs/0001-a.md');
    for (const ref of ['spec-a', 'specs/0001-a.md']) {
      const r = cxo(dir, ['spec', 'approve', ref, '--by', 'grace']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/specs\/0001-a\.md:6:\d+: error\[schema\]/);
      expect(r.stderr).toMatch(/not a valid mini-spec/);
    }
    expect(read(dir, 'specs/0001-a.md')).toBe(before);
  });
});

describe('finding a spec', () => {
  it('by id, by path (also ./path), and unknown ids exit 2 with a hint', () => {
    const dir = specRepo({}, { 'specs/0002-b.md': specText({ ...VALID_SPEC, id: 'spec-b', title: 'B' }) });
    const byId = JSON.parse(cxo(dir, ['spec', 'review', 'spec-b', '--now', '2026-11-05', '--json']).stdout);
    expect(byId).toMatchObject({ id: 'spec-b', file: 'specs/0002-b.md', changed: true });
    const byPath = JSON.parse(
      cxo(dir, ['spec', 'review', 'specs/0002-b.md', '--now', '2026-11-06', '--json']).stdout,
    );
    expect(byPath).toMatchObject({ id: 'spec-b', previous: '2026-11-05' });
    const dotPath = JSON.parse(
      cxo(dir, ['spec', 'review', './specs/0001-a.md', '--now', '2026-11-06', '--json']).stdout,
    );
    expect(dotPath).toMatchObject({ id: 'spec-a', changed: true });
    const unknown = cxo(dir, ['spec', 'approve', 'spec-c', '--by', 'grace']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no spec with id "spec-c"/);
    expect(unknown.stderr).toMatch(/hint: spec ids are the `id:` lines/);
    const missingPath = cxo(dir, ['spec', 'review', 'specs/0009-x.md']);
    expect(missingPath.code).toBe(2);
    expect(missingPath.stderr).toMatch(/no spec file specs\/0009-x\.md/);
    expect(cxo(dir, ['spec', 'review', '../elsewhere/x.md']).code).toBe(2);
    const json = cxo(dir, ['spec', 'review', 'spec-c', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { kind: 'NotFoundError' } });
  });

  it('a duplicate id is ambiguous and must be given by path', () => {
    const dir = specRepo({}, { 'specs/0002-b.md': specText(VALID_SPEC) });
    const r = cxo(dir, ['spec', 'review', 'spec-a']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/spec id "spec-a" is used by 2 files: specs\/0001-a\.md, specs\/0002-b\.md/);
    expect(existsSync(join(dir, 'specs/0002-b.md'))).toBe(true);
    expect(cxo(dir, ['spec', 'review', 'specs/0002-b.md']).code).toBe(0);
  });
});
