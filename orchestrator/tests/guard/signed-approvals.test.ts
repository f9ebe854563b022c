import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSpec } from '../../src/repo/markdown-docs.js';
import { specDigest } from '../../src/repo/spec-digest.js';
import { allowedSigners, commitAll, makeKey, type SigningKey, signingEnv } from '../helpers/signing-keys.js';
import { cxo, gitIn, indexJson, makeRepo, read, specText } from '../helpers/temp-repo.js';

const NOW = '2026-11-21';
const FILE = 'specs/0001-a.md';
const SPEC = specText({
  id: 'spec-a',
  title: 'Spec A',
  status: 'draft',
  owners: ['ada'],
  risk: 'high',
  last_review: '2026-11-15',
});

/** A repository whose base (main) trusts alice's, bob's and mallory's keys; work happens on `feature`. */
function setup() {
  const keys = { alice: makeKey('alice'), bob: makeKey('bob'), mallory: makeKey('mallory') };
  const dir = makeRepo(
    {
      'codex.tasks.json': indexJson([]),
      [FILE]: SPEC,
      '.cxo/allowed_signers': allowedSigners([keys.alice, keys.bob, keys.mallory]),
    },
    { git: true },
  );
  gitIn(dir, 'checkout', '-q', '-b', 'feature');
  return { dir, ...keys };
}

function approve(dir: string, key: SigningKey, ...extra: string[]) {
  const r = cxo(
    dir,
    ['spec', 'approve', 'spec-a', '--commit', '--now', NOW, '--json', ...extra],
    signingEnv(key),
  );
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

/** Appends an approval entry typed by hand, with the right digest, and marks the spec approved. */
function handWrite(dir: string, by: string) {
  const text = read(dir, FILE);
  const spec = parseSpec({ file: FILE, text, bom: false, eol: '\n' }).spec!;
  const digest = specDigest(spec.fields, spec.doc.body);
  const entry = `  - by: ${by}\n    at: ${NOW}\n    digest: ${digest}\n`;
  const withApprovals = text.includes('\napprovals:\n')
    ? text.replace(/\n---\n/, `\n${entry}---\n`)
    : text.replace(/\n---\n/, `\napprovals:\n${entry}---\n`);
  writeFileSync(join(dir, FILE), withApprovals.replace('status: draft', 'status: approved'));
}

function guard(dir: string, ...extra: string[]) {
  const r = cxo(dir, ['guard', '--now', NOW, '--json', ...extra]);
  return { code: r.code, report: JSON.parse(r.stdout), stderr: r.stderr };
}

const lineOf = (dir: string, text: string) => read(dir, FILE).split('\n').indexOf(text) + 1;

describe('signed approvals of a high-risk spec', () => {
  it('a hand-written approval with the right digest in an unsigned commit does not count', () => {
    const { dir, alice } = setup();
    expect(approve(dir, alice)).toMatchObject({ approval: { by: 'alice' }, signed: true });
    handWrite(dir, 'bob');
    commitAll(dir, 'approve as bob');
    const { code, report } = guard(dir, '--base', 'main');
    expect(code).toBe(1);
    const forged = report.violations.find((v: { code: string }) => v.code === 'unsigned-approval');
    expect(forged).toMatchObject({
      rule: 'approval',
      severity: 'error',
      file: FILE,
      line: lineOf(dir, '  - by: bob'),
      column: 9,
      sourceLine: '  - by: bob',
    });
    expect(forged.message).toMatch(/^approval by bob was added by commit [0-9a-f]{12}, which is not signed$/);
    // alice's own signed approval is not reported
    expect(report.violations.filter((v: { message: string }) => v.message.includes('alice'))).toEqual([]);
    const text = cxo(dir, ['guard', '--now', NOW, '--base', 'main']);
    expect(text.stdout).toContain(
      `${FILE}:${lineOf(dir, '  - by: bob')}:9: error[approval/unsigned-approval]`,
    );
  });

  it("an entry naming alice in a commit signed by bob's key is a signer mismatch", () => {
    const { dir, bob } = setup();
    approve(dir, bob);
    handWrite(dir, 'alice');
    commitAll(dir, 'approve as alice', bob);
    const { code, report } = guard(dir, '--base', 'main');
    expect(code).toBe(1);
    expect(report.violations).toContainEqual(
      expect.objectContaining({
        code: 'signer-mismatch',
        line: lineOf(dir, '  - by: alice'),
        message: expect.stringMatching(
          /^approval names alice, but commit [0-9a-f]{12} that added it is signed by bob$/,
        ),
      }),
    );
  });

  it("alice's and bob's signed approvals pass, and an approval edited after signing no longer counts", () => {
    const { dir, alice, bob } = setup();
    approve(dir, alice);
    expect(approve(dir, bob)).toMatchObject({ status: 'approved', statusChanged: true, signed: true });
    expect(gitIn(dir, 'cat-file', 'commit', 'HEAD')).toMatch(
      /\nauthor Test Person [^]*\ngpgsig -----BEGIN SSH SIGNATURE-----/,
    );
    expect(guard(dir, '--base', 'main')).toMatchObject({ code: 0, report: { passed: true, violations: [] } });
    // someone re-dates bob's approval in an unsigned commit: bob's signed commit no longer vouches for it
    writeFileSync(join(dir, FILE), read(dir, FILE).replace(/(by: bob\n {4}at: )\S+/, '$12026-11-20'));
    commitAll(dir, 'touch up');
    expect(guard(dir, '--base', 'main').report.violations).toContainEqual(
      expect.objectContaining({ code: 'rewritten-approval', line: lineOf(dir, '  - by: bob') }),
    );
  });

  it('an approval in the working tree only does not count', () => {
    const { dir, alice, bob } = setup();
    approve(dir, alice);
    const r = cxo(dir, ['spec', 'approve', 'spec-a', '--now', NOW], signingEnv(bob));
    expect(r.stderr).toContain('warning: the approval is not signed: it is not committed');
    expect(guard(dir, '--base', 'main').report.violations).toContainEqual(
      expect.objectContaining({ code: 'uncommitted-approval', line: lineOf(dir, '  - by: bob') }),
    );
  });

  it("allowed_signers changed in the head to give mallory's key alice's name is not trusted against the base", () => {
    const { dir, bob, mallory } = setup();
    writeFileSync(join(dir, '.cxo/allowed_signers'), allowedSigners([['alice', mallory], bob]));
    commitAll(dir, 'rotate keys', mallory);
    // locally (HEAD's signers) mallory's key now approves as alice
    expect(approve(dir, mallory)).toMatchObject({ approval: { by: 'alice' }, signed: true });
    approve(dir, bob);
    const local = guard(dir);
    expect(local.code).toBe(0);
    expect(local.report.notes).toEqual([expect.stringContaining('.cxo/allowed_signers of HEAD')]);
    const ci = guard(dir, '--base', 'main');
    expect(ci.code).toBe(1);
    expect(ci.report.violations).toContainEqual(
      expect.objectContaining({ code: 'signer-mismatch', line: lineOf(dir, '  - by: alice') }),
    );
  });

  it('without .cxo/allowed_signers on the base, the guard says how to set it up', () => {
    const { dir, alice, bob } = setup();
    gitIn(dir, 'checkout', '-q', 'main');
    gitIn(dir, 'rm', '-q', '.cxo/allowed_signers');
    commitAll(dir, 'no signers');
    gitIn(dir, 'checkout', '-q', 'feature');
    approve(dir, alice);
    approve(dir, bob);
    const { code, report } = guard(dir, '--base', 'main');
    expect(code).toBe(1);
    expect(report.violations).toContainEqual(
      expect.objectContaining({
        code: 'no-allowed-signers',
        hint: expect.stringContaining('commit .cxo/allowed_signers'),
      }),
    );
  });

  it('--by another name than the signing key speaks for is refused, and nothing is written', () => {
    const { dir, mallory } = setup();
    const before = read(dir, FILE);
    const r = cxo(dir, ['spec', 'approve', 'spec-a', '--by', 'alice', '--commit'], signingEnv(mallory));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--by alice, but your signing key is mallory's in .cxo/allowed_signers");
    expect(read(dir, FILE)).toBe(before);
  });
});
