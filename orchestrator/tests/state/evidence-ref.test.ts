/**
 * Large run evidence in ref mode: kept out of the state ref's tree, in the run's evidence ref
 * (`refs/cxo/evidence/<task>/<run>`), pushed beside the state ref and copied back into another
 * clone, which verifies it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { RunManifest } from '../../src/runs/manifest-types.js';
import { sharedRemote } from '../helpers/shared-remote.js';
import { cxo, gitIn, indexJson } from '../helpers/temp-repo.js';

const LOUD_OUTPUT = execFileSync('seq', ['1', '60000']);

const CONFIG = `guard:
  require_spec: false
agents:
  manager: none
  builder: "command:seq 1 60000; echo y > a.txt"
gitops:
  state: ref
`;

function remoteWithLoudTask() {
  return sharedRemote(
    {
      'codex.config.yaml': CONFIG,
      'codex.tasks.json': indexJson([{ id: 't1', title: 'One', acceptance: ['grep -q y a.txt'] }]),
      '.gitignore': '.runs/\n',
    },
    'cxo-evidence-ref-',
  );
}

function onlyRun(repo: string): { dir: string; manifest: RunManifest } {
  const runId = (JSON.parse(cxo(repo, ['runs', 'list', '--json']).stdout) as { runs: { id: string }[] })
    .runs[0].id;
  const dir = `.runs/t1/${runId}`;
  return { dir, manifest: JSON.parse(readFileSync(join(repo, dir, 'manifest.json'), 'utf8')) as RunManifest };
}

describe('large evidence in ref mode', () => {
  it('keeps a large log out of the state tree, in an evidence ref another clone copies back', () => {
    const { bare, clone } = remoteWithLoudTask();
    const ran = clone('ran');
    const run = cxo(ran, ['run', 't1']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const { dir, manifest } = onlyRun(ran);
    const log = manifest.artifacts.find((a) => a.path.endsWith('builder.stdout.log'))!;
    expect(log.encoding).toBe('gzip');
    const rel = `${log.path.slice(dir.length + 1)}.gz`;

    const stateFiles = gitIn(ran, 'ls-tree', '-r', '--name-only', 'refs/heads/cxo/state').split('\n');
    const runFiles = stateFiles.filter((f) => f.includes(manifest.run.id));
    expect(runFiles.some((f) => f.endsWith('/manifest.json'))).toBe(true);
    expect(runFiles.some((f) => f.endsWith(rel))).toBe(false);
    const ref = `refs/cxo/evidence/t1/${manifest.run.id}`;
    expect(gitIn(ran, 'ls-tree', '-r', '--name-only', ref).split('\n')).toContain(rel);
    expect(gitIn(bare, 'for-each-ref', '--format=%(refname)', 'refs/cxo/')).toContain(ref);
    // the state ref's history never held it either
    const everInState = gitIn(ran, 'log', '--format=', '--name-only', 'refs/heads/cxo/state');
    expect(everInState).not.toContain(rel);

    const other = clone('other');
    const verify = cxo(other, ['verify', manifest.run.id]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    const copied = readFileSync(join(other, dir, rel));
    expect(gunzipSync(copied).equals(LOUD_OUTPUT)).toBe(true);
    expect(existsSync(join(other, dir, 'manifest.json'))).toBe(true);
  }, 120_000);

  it('copies a run whose evidence ref is gone without its large files; verify then names them', () => {
    const { bare, clone } = remoteWithLoudTask();
    const ran = clone('ran');
    expect(cxo(ran, ['run', 't1']).code).toBe(0);
    const { dir, manifest } = onlyRun(ran);
    gitIn(bare, 'update-ref', '-d', `refs/cxo/evidence/t1/${manifest.run.id}`);
    const other = clone('other');
    const verify = cxo(other, ['verify', manifest.run.id]);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(
      new RegExp(
        `${dir}/agents/builder\\.stdout\\.log: expected [0-9a-f]{64} \\(\\d+ bytes\\), found no file`,
      ),
    );
    expect(existsSync(join(other, dir, 'manifest.json'))).toBe(true);
  }, 120_000);

  it('cxo runs gc prunes the state tree and the evidence ref; another clone verifies the run as pruned', () => {
    const { bare, clone } = remoteWithLoudTask();
    const ran = clone('ran');
    for (let i = 0; i < 2; i++) {
      const r = cxo(ran, ['run', 't1', '--force', 'again']);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(cxo(ran, ['review', 't1', '--request-changes', '-m', 'again', '--by', 'bob']).code).toBe(0);
    }
    const runs = (JSON.parse(cxo(ran, ['runs', 'list', '--json']).stdout) as { runs: { id: string }[] }).runs;
    const [newer, older] = runs.map((r) => r.id);
    const manifestPath = (id: string) =>
      gitIn(ran, 'ls-tree', '-r', '--name-only', 'refs/heads/cxo/state')
        .split('\n')
        .find((f) => f.endsWith(`${id}/manifest.json`))!;
    const manifestBefore = gitIn(ran, 'rev-parse', `refs/heads/cxo/state:${manifestPath(older)}`);

    const refsBefore = gitIn(bare, 'for-each-ref', '--format=%(refname) %(objectname)');
    const dry = cxo(ran, ['runs', 'gc', '--keep', '1', '--older-than', '0d', '--dry-run']);
    expect(dry.stdout).toContain('would prune the artifacts of 1 run(s)');
    expect(gitIn(bare, 'for-each-ref', '--format=%(refname) %(objectname)')).toBe(refsBefore);

    const gc = cxo(ran, ['runs', 'gc', '--keep', '1', '--older-than', '0d']);
    expect(gc.code, gc.stdout + gc.stderr).toBe(0);
    expect(gc.stdout).toContain('pruned the artifacts of 1 run(s)');
    const folder = manifestPath(older).replace(/\/manifest\.json$/, '');
    const left = gitIn(ran, 'ls-tree', '-r', '--name-only', `refs/heads/cxo/state:${folder}`)
      .trim()
      .split('\n');
    expect(left.sort()).toEqual(['manifest.json', 'pruned.json', 'runner.log']);
    expect(gitIn(ran, 'rev-parse', `refs/heads/cxo/state:${manifestPath(older)}`)).toBe(manifestBefore);
    const refs = gitIn(bare, 'for-each-ref', '--format=%(refname)', 'refs/cxo/');
    expect(refs).not.toContain(older);
    expect(refs).toContain(newer);
    expect(gitIn(ran, 'for-each-ref', '--format=%(refname)', 'refs/cxo/')).not.toContain(older);

    const other = clone('other');
    const verify = cxo(other, ['verify', '--json']);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    const doc = JSON.parse(verify.stdout) as { runs: { run: string; pruned: string[] }[] };
    expect(doc.runs.find((r) => r.run === older)!.pruned.length).toBeGreaterThan(3);
    expect(doc.runs.find((r) => r.run === newer)!.pruned).toEqual([]);
  }, 180_000);
});
