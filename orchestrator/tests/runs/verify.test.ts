import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeRunRepo, readManifest, runArgs, runDirs, SLOW_BUILDER } from '../helpers/run-repo.js';
import { cxo, gitIn } from '../helpers/temp-repo.js';

// Real runs in temporary repositories, then `cxo verify` as a child process.

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** A repository with one run of t1 that ended in review; returns the repo and the run's directory. */
function reviewedRun(extra: string[] = []): { repo: string; dir: string; runId: string } {
  const repo = makeRunRepo();
  const r = cxo(repo, runArgs(SLOW_BUILDER, ...extra));
  expect(r.code, r.stdout + r.stderr).toBe(0);
  const [dir] = runDirs(repo);
  return { repo, dir, runId: readManifest(repo, dir).run.id };
}

describe('cxo verify', () => {
  it('passes for a run that ended in review, in text and JSON', () => {
    const { repo, runId } = reviewedRun();
    const text = cxo(repo, ['verify']);
    expect(text.code, text.stdout + text.stderr).toBe(0);
    expect(text.stdout).toMatch(
      new RegExp(`${runId} \\(t1, review\\): ok \\(\\d+ artifact\\(s\\), manifest schema, branch diff\\)`),
    );
    const json = cxo(repo, ['verify', runId, '--json']);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as {
      ok: boolean;
      runs: { ok: boolean; branchChecked: boolean; artifacts: number }[];
    };
    expect(doc.ok).toBe(true);
    expect(doc.runs).toHaveLength(1);
    expect(doc.runs[0].branchChecked).toBe(true);
    expect(doc.runs[0].artifacts).toBeGreaterThanOrEqual(5);
  });

  it('finds an artifact with one byte changed', () => {
    const { repo, dir, runId } = reviewedRun();
    const artifact = `${dir}/plan.json`;
    const path = join(repo, artifact);
    const before = readFileSync(path);
    const after = Buffer.from(before);
    after[2] ^= 0x01;
    writeFileSync(path, after);
    const r = cxo(repo, ['verify', runId]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `${artifact}: expected ${sha256(before)} (${before.length} bytes), found ${sha256(after)} (${after.length} bytes)`,
    );
    expect(r.stdout).toContain('1 mismatch(es)');
  });

  it('finds a deleted artifact', () => {
    const { repo, dir } = reviewedRun();
    const artifact = `${dir}/review.json`;
    const before = readFileSync(join(repo, artifact));
    unlinkSync(join(repo, artifact));
    const r = cxo(repo, ['verify']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `${artifact}: expected ${sha256(before)} (${before.length} bytes), found no file`,
    );
  });

  it('finds a rewritten run branch', () => {
    const { repo, dir, runId } = reviewedRun();
    const m = readManifest(repo, dir);
    const stored = readFileSync(join(repo, m.diff!.artifact));
    // amend the branch's commit with other content, from a worktree of its own
    const wt = join(mkdtempSync(join(tmpdir(), 'cxo-amend-')), 'wt');
    gitIn(repo, 'worktree', 'add', '-q', wt, m.run.branch);
    writeFileSync(join(wt, 'a.txt'), 'x\nsomething else\n');
    gitIn(wt, 'commit', '-q', '-a', '--amend', '-m', 'rewritten');
    gitIn(repo, 'worktree', 'remove', wt);
    rmSync(join(wt, '..'), { recursive: true, force: true });
    const tip = gitIn(repo, 'rev-parse', m.run.branch).trim();
    const actual = gitIn(repo, 'diff', '--binary', m.diff!.baseCommit, tip);

    const r = cxo(repo, ['verify', runId]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `refs/heads/${m.run.branch}: git diff --binary ${m.diff!.baseCommit.slice(0, 12)} ${tip.slice(0, 12)}`,
    );
    expect(r.stdout).toContain(`not the recorded ${m.diff!.headCommit}`);
    expect(r.stdout).toContain(
      `expected ${sha256(stored)} (${stored.length} bytes), found ${sha256(Buffer.from(actual))} (${Buffer.byteLength(actual)} bytes)`,
    );
  });

  it('finds a deleted run branch', () => {
    const { repo, dir, runId } = reviewedRun();
    const m = readManifest(repo, dir);
    gitIn(repo, 'branch', '-D', m.run.branch);
    const r = cxo(repo, ['verify', runId]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`refs/heads/${m.run.branch}: expected ${m.diff!.headCommit}, found no branch`);
  });

  it('accepts a branch whose commit message was amended but whose diff is the same, with a note', () => {
    const { repo, dir, runId } = reviewedRun();
    const m = readManifest(repo, dir);
    const wt = join(mkdtempSync(join(tmpdir(), 'cxo-amend-')), 'wt');
    gitIn(repo, 'worktree', 'add', '-q', wt, m.run.branch);
    gitIn(wt, 'commit', '-q', '--amend', '-m', 'reworded');
    gitIn(repo, 'worktree', 'remove', wt);
    const r = cxo(repo, ['verify', runId]);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain('its diff is still the one reviewed');
  });

  it('skips the branch comparison for a --no-commit run and says so', () => {
    const { repo, dir, runId } = reviewedRun(['--no-commit']);
    expect(readManifest(repo, dir).diff!.headCommit).toBeNull();
    const r = cxo(repo, ['verify', runId]);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain('the branch comparison is skipped');
    expect(r.stdout).not.toContain('branch diff');
  });

  it('finds a manifest that no longer matches its schema, or no longer parses', () => {
    const { repo, dir, runId } = reviewedRun();
    const path = join(repo, dir, 'manifest.json');
    const m = readManifest(repo, dir);
    (m.artifacts[0] as { sha256: string }).sha256 = 'not-a-hash';
    writeFileSync(path, JSON.stringify(m));
    const bad = cxo(repo, ['verify', runId]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(
      `${dir}/manifest.json: does not match the run-manifest schema: /artifacts/0/sha256`,
    );

    writeFileSync(path, '{"version": 1, "run": ');
    // a run whose manifest does not parse is still found, by its directory
    const broken = cxo(repo, ['verify']);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(`${dir}/manifest.json: cannot be read as JSON`);
    expect(cxo(repo, ['verify', runId]).code).toBe(1);
  });

  it('reports an unknown run as a usage error and an empty repository as nothing to do', () => {
    const repo = makeRunRepo();
    expect(cxo(repo, ['verify']).stdout).toContain('no runs to verify');
    const r = cxo(repo, ['verify', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no run "nope"');
  });
});
