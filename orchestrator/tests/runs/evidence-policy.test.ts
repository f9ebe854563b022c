/**
 * The evidence size policy on real runs (inline mode): logs stored compressed with the manifest's
 * hash of the uncompressed content, artifacts cut at `evidence.max_artifact_bytes`, read back by
 * `cxo verify` and `cxo runs show`.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
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
    expect(show.stdout).toContain('hashed artifact(s)');
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
