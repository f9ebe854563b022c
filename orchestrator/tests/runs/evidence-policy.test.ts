/**
 * The evidence size policy on real runs (inline mode): logs stored compressed with the manifest's
 * hash of the uncompressed content, artifacts cut at `evidence.max_artifact_bytes`, read back by
 * `cxo verify` and `cxo runs show`.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { ArtifactRecord } from '../../src/runs/manifest-types.js';
import { readManifest, runArgs, runDirs } from '../helpers/run-repo.js';
import { cxo, indexJson, makeRepo } from '../helpers/temp-repo.js';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** ~350 KB of builder output, then the change the acceptance command looks for. */
const LOUD_BUILDER = "sh -c 'seq 1 60000; echo y > a.txt'";
const LOUD_OUTPUT = execFileSync('seq', ['1', '60000']);

function repoWith(evidence = ''): string {
  return makeRepo(
    {
      'codex.config.yaml': `guard:\n  require_spec: false\n${evidence}`,
      'codex.tasks.json': indexJson([{ id: 't1', title: 'Task one', acceptance: ['grep -q y a.txt'] }]),
    },
    { git: true },
  );
}

function loudRun(repo: string): { dir: string; runId: string; log: ArtifactRecord } {
  const r = cxo(repo, runArgs(LOUD_BUILDER));
  expect(r.code, r.stdout + r.stderr).toBe(0);
  const [dir] = runDirs(repo);
  const manifest = readManifest(repo, dir);
  const log = manifest.artifacts.find((a) => a.path.endsWith('builder.stdout.log'))!;
  return { dir, runId: manifest.run.id, log };
}

describe('evidence size policy', () => {
  it('stores a large builder log gzip-compressed; the manifest hashes its content; verify and runs show read it', () => {
    const repo = repoWith();
    const { dir, runId, log } = loudRun(repo);
    expect(log).toMatchObject({ encoding: 'gzip', bytes: LOUD_OUTPUT.length, sha256: sha256(LOUD_OUTPUT) });
    expect(log.truncated).toBeUndefined();
    expect(existsSync(join(repo, log.path))).toBe(false);
    const stored = readFileSync(join(repo, `${log.path}.gz`));
    expect(stored.length).toBeLessThan(LOUD_OUTPUT.length / 2);
    expect(gunzipSync(stored).equals(LOUD_OUTPUT)).toBe(true);
    // small logs stay plain, readable with cat
    const small = readManifest(repo, dir).artifacts.find((a) => a.path.endsWith('acceptance-1.stdout.log'))!;
    expect(small.encoding).toBeUndefined();
    expect(existsSync(join(repo, small.path))).toBe(true);

    const verify = cxo(repo, ['verify', runId]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout).toContain('branch diff');
    const show = cxo(repo, ['runs', 'show', runId]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/hashed artifact\(s\), [1-9]\d* stored compressed/);
  });

  it('finds a compressed log whose content changed, though it is valid gzip', () => {
    const repo = repoWith();
    const { runId, log } = loudRun(repo);
    const changed = Buffer.from(LOUD_OUTPUT);
    changed[0] = 0x39; // "1" becomes "9"
    writeFileSync(join(repo, `${log.path}.gz`), gzipSync(changed));
    const verify = cxo(repo, ['verify', runId]);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain(
      `${log.path}: expected ${sha256(LOUD_OUTPUT)} (${LOUD_OUTPUT.length} bytes), found ${sha256(changed)} (${changed.length} bytes)`,
    );
  });

  it('finds a compressed log that inflates beyond its recorded size, without inflating it all', () => {
    const repo = repoWith();
    const { runId, log } = loudRun(repo);
    writeFileSync(join(repo, `${log.path}.gz`), gzipSync(Buffer.alloc(64 * 1024 * 1024)));
    const verify = cxo(repo, ['verify', runId]);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain(`${log.path}: expected`);
    expect(verify.stdout).toContain('a compressed file that inflates beyond that size');
  });

  it('cuts an artifact above evidence.max_artifact_bytes; the manifest keeps the full size and hash', () => {
    const repo = repoWith('evidence:\n  max_artifact_bytes: 100000\n  compress: false\n');
    const { runId, log } = loudRun(repo);
    expect(log.truncated).toEqual({ bytes: LOUD_OUTPUT.length, sha256: sha256(LOUD_OUTPUT) });
    expect(log.encoding).toBeUndefined();
    const stored = readFileSync(join(repo, log.path));
    const marker = `[truncated: ${LOUD_OUTPUT.length} bytes, sha256 ${sha256(LOUD_OUTPUT)}]\n`;
    expect(stored.toString('utf8').endsWith(marker)).toBe(true);
    expect(stored.subarray(0, 100000).equals(LOUD_OUTPUT.subarray(0, 100000))).toBe(true);
    expect(log.bytes).toBe(stored.length);
    expect(log.sha256).toBe(sha256(stored));
    const verify = cxo(repo, ['verify', runId]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });

  it('cuts a diff above the cap, and verify compares the branch with the full diff hash', () => {
    const big = "sh -c 'seq 1 60000 > a.txt; echo y >> a.txt'";
    const repo = repoWith('evidence:\n  max_artifact_bytes: 100000\n');
    const r = cxo(repo, runArgs(big));
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const [dir] = runDirs(repo);
    const manifest = readManifest(repo, dir);
    const diff = manifest.artifacts.find((a) => a.path === manifest.diff!.artifact)!;
    expect(diff.truncated!.bytes).toBeGreaterThan(100000);
    const verify = cxo(repo, ['verify', manifest.run.id]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout).toContain('branch diff');
  });

  it('refuses an evidence block that is not valid, naming the file, line and column', () => {
    const repo = repoWith('evidence:\n  max_artifact_bytes: 12\n');
    const r = cxo(repo, runArgs(LOUD_BUILDER));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/codex\.config\.yaml:4:\d+/);
    expect(r.stderr).toContain('max_artifact_bytes');
    expect(runDirs(repo)).toEqual([]);
  });
});

describe('cxo runs gc', () => {
  /** Three runs of t1 (each ended in review, then sign-off: request changes, so the next may run). */
  function threeRuns(): { repo: string; dirs: string[] } {
    const repo = repoWith();
    for (let i = 0; i < 3; i++) {
      const r = cxo(repo, runArgs(LOUD_BUILDER, '--force', 'again'));
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const review = cxo(repo, ['review', 't1', '--request-changes', '-m', 'once more', '--by', 'bob']);
      expect(review.code, review.stdout + review.stderr).toBe(0);
    }
    return { repo, dirs: runDirs(repo).sort() };
  }

  it('--keep 1 prunes the older runs: artifacts gone, manifests and sign-offs intact, verify says pruned and exits 0', () => {
    const { repo, dirs } = threeRuns();
    expect(dirs).toHaveLength(3);
    const before = dirs.map((d) => readFileSync(join(repo, d, 'manifest.json')));

    const dry = cxo(repo, ['runs', 'gc', '--keep', '1', '--older-than', '0d', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('would prune the artifacts of 2 run(s)');
    for (const d of dirs) expect(existsSync(join(repo, d, 'pruned.json'))).toBe(false);
    expect(
      readManifest(repo, dirs[0]).artifacts.every((a) =>
        existsSync(join(repo, a.encoding ? `${a.path}.gz` : a.path)),
      ),
    ).toBe(true);

    const gc = cxo(repo, ['runs', 'gc', '--keep', '1', '--older-than', '0d', '--json']);
    expect(gc.code, gc.stderr).toBe(0);
    const report = JSON.parse(gc.stdout) as { pruned: { dir: string; artifacts: string[] }[]; kept: number };
    expect(report.pruned.map((p) => p.dir).sort()).toEqual(dirs.slice(0, 2));
    expect(report.kept).toBe(1);
    for (const [i, d] of dirs.entries()) {
      // manifests stay byte for byte
      expect(readFileSync(join(repo, d, 'manifest.json')).equals(before[i])).toBe(true);
      const artifacts = readManifest(repo, d).artifacts;
      const present = artifacts.filter(
        (a) => existsSync(join(repo, a.path)) || existsSync(join(repo, `${a.path}.gz`)),
      );
      expect(present.length).toBe(i < 2 ? 0 : artifacts.length);
    }
    const verify = cxo(repo, ['verify']);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout).toContain('3 run(s) verified, no mismatch');
    expect(verify.stdout).toMatch(/agents\/builder\.stdout\.log: pruned/);
    const json = JSON.parse(cxo(repo, ['verify', '--json']).stdout) as {
      runs: { dir: string; pruned: string[] }[];
    };
    expect(json.runs.find((r) => r.dir === dirs[2])!.pruned).toEqual([]);
    expect(json.runs.find((r) => r.dir === dirs[0])!.pruned.length).toBeGreaterThan(3);

    const show = cxo(repo, ['runs', 'show', readManifest(repo, dirs[0]).run.id]);
    expect(show.stdout).toMatch(/\d+ pruned by cxo runs gc/);
    // a second gc finds nothing more to prune
    expect(cxo(repo, ['runs', 'gc', '--keep', '1', '--older-than', '0d']).stdout).toContain(
      'nothing to prune',
    );
  }, 120_000);

  it('an artifact deleted without gc still fails verify; a pruned record with another hash does not excuse it', () => {
    const { repo, dirs } = threeRuns();
    const manifest = readManifest(repo, dirs[0]);
    const plan = manifest.artifacts.find((a) => a.path.endsWith('/plan.json'))!;
    rmSync(join(repo, plan.path));
    const failed = cxo(repo, ['verify', manifest.run.id]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain(
      `${plan.path}: expected ${plan.sha256} (${plan.bytes} bytes), found no file`,
    );

    // a hostile record naming the artifact with a hash the manifest does not have
    writeFileSync(
      join(repo, dirs[0], 'pruned.json'),
      JSON.stringify({
        version: 1,
        pruned: [{ path: plan.path, sha256: '0'.repeat(64), bytes: 1, at: '2026-12-01T00:00:00Z' }],
      }),
    );
    expect(cxo(repo, ['verify', manifest.run.id]).code).toBe(1);
    writeFileSync(join(repo, dirs[0], 'pruned.json'), '{"version": 1, "pruned": [{"path": 3}]}');
    const invalid = cxo(repo, ['verify', manifest.run.id]);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toContain(`${dirs[0]}/pruned.json does not match its schema: /pruned/0`);
  }, 120_000);

  it('leaves runs waiting for review alone unless --include-review, and keeps runs younger than --older-than', () => {
    const repo = repoWith();
    for (let i = 0; i < 2; i++) expect(cxo(repo, runArgs(LOUD_BUILDER, '--force', 'again')).code).toBe(0);
    const young = cxo(repo, ['runs', 'gc', '--keep', '0', '--older-than', '1h']);
    expect(young.stdout).toContain('nothing to prune; 2 run(s) kept');
    const waiting = cxo(repo, ['runs', 'gc', '--keep', '0', '--older-than', '0m']);
    expect(waiting.stdout).toMatch(
      /left alone \S+ \(t1\): waiting for review \(--include-review prunes it\)/,
    );
    expect(waiting.stdout).toContain('nothing to prune');
    const all = cxo(repo, ['runs', 'gc', '--keep', '0', '--older-than', '0m', '--include-review']);
    expect(all.stdout).toContain('pruned the artifacts of 2 run(s)');
    // what gc pruned is not tampered with, but nothing is left to review
    const approve = cxo(repo, ['review', 't1', '--approve', '--by', 'bob']);
    expect(approve.code).toBe(1);
    expect(approve.stderr).toMatch(/cannot be approved: cxo runs gc pruned \d+ of its artifacts/);
  }, 120_000);

  it('never deletes a file outside the run directory that a hostile manifest names as an artifact', () => {
    const repo = repoWith();
    expect(cxo(repo, runArgs(LOUD_BUILDER)).code).toBe(0);
    const [dir] = runDirs(repo);
    writeFileSync(join(repo, 'victim.txt'), 'keep me\n');
    const manifest = readManifest(repo, dir);
    manifest.artifacts.push({ path: `${dir}/../../../victim.txt`, sha256: '0'.repeat(64), bytes: 8 });
    writeFileSync(join(repo, dir, 'manifest.json'), JSON.stringify(manifest));
    const gc = cxo(repo, ['runs', 'gc', '--keep', '0', '--older-than', '0m', '--include-review']);
    expect(gc.code, gc.stderr).toBe(0);
    expect(readFileSync(join(repo, 'victim.txt'), 'utf8')).toBe('keep me\n');
  });

  it('refuses a bad --older-than or --keep, writing nothing', () => {
    const repo = repoWith();
    expect(cxo(repo, runArgs(LOUD_BUILDER)).code).toBe(0);
    for (const args of [
      ['--older-than', '30 days'],
      ['--older-than', '-1d'],
      ['--keep', 'two'],
    ]) {
      const r = cxo(repo, ['runs', 'gc', '--include-review', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(args[0]);
    }
    expect(cxo(repo, ['runs', 'gc', '--older-than', 'soon']).stderr).toContain(
      '--older-than "soon" is not an age',
    );
    expect(existsSync(join(repo, runDirs(repo)[0], 'pruned.json'))).toBe(false);
  });
});
