import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readManifest, runArgs, runDirs } from '../helpers/run-repo.js';
import { cxo, gitIn, indexJson, makeRepo } from '../helpers/temp-repo.js';

/** Hooks git would run on the orchestrator's checkouts, commits, ref updates and merges. */
const HOOKS = [
  'post-checkout',
  'pre-commit',
  'prepare-commit-msg',
  'commit-msg',
  'post-commit',
  'reference-transaction',
  'pre-merge-commit',
  'post-merge',
  'post-rewrite',
  'pre-push',
  'pre-auto-gc',
];

/**
 * A place outside the repository with a marker file and the scripts that append to it: one per
 * hook, an fsmonitor, and a filter's clean/smudge/process commands.
 */
function attackKit(): { dir: string; marker: string; install: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cxo-attack-'));
  const marker = join(dir, 'marker');
  writeFileSync(marker, '');
  const script = (name: string, body: string, log = true) => {
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\n${log ? `echo "${name} $*" >> '${marker}'\n` : ''}${body}\n`);
    chmodSync(path, 0o755);
    return path;
  };
  const fsmonitor = script('fsmonitor', 'exit 0');
  const filter = script('filter', 'cat');
  const hookLines = HOOKS.map((h) => `cp '${script(h, 'exit 0')}' "$common/hooks/${h}"`).join('\n');
  // what a builder can do from its worktree: the main repository's git dir is one command away
  const install = script(
    'install',
    [
      'common=$(git rev-parse --path-format=absolute --git-common-dir)',
      'mkdir -p "$common/hooks"',
      hookLines,
      `git config --file "$common/config" core.fsmonitor '${fsmonitor}'`,
      `git config --file "$common/config" filter.x.clean '${filter}'`,
      `git config --file "$common/config" filter.x.smudge '${filter}'`,
      `git config --file "$common/config" filter.x.process '${filter}'`,
      `git config --file "$common/config" filter.x.required true`,
    ].join('\n'),
    false,
  );
  return { dir, marker, install };
}

// without the sandbox, which would stop these writes before the checks here could see them
// (tests/runs/sandbox.test.ts): the git hardening and static review must hold on their own
const CONFIG = 'guard:\n  require_spec: false\nsandbox:\n  mode: none\n';

function repo(files: Record<string, string> = {}): string {
  return makeRepo(
    {
      'codex.config.yaml': CONFIG,
      'codex.tasks.json': indexJson([{ id: 't1', title: 'Task one', acceptance: ['grep -q y a.txt'] }]),
      ...files,
    },
    { git: true },
  );
}

describe('a hostile builder', () => {
  it('plants hooks, an fsmonitor and a filter in the main repository: none runs on run, verify or review, and the run fails with GitConfigChanged', () => {
    const kit = attackKit();
    const dir = repo();
    const builder = `sh '${kit.install}'; echo y > a.txt; echo '* filter=x' > .gitattributes`;
    const run = cxo(dir, [...runArgs(builder), '--json']);
    const runDir = runDirs(dir)[0];
    const manifest = readManifest(dir, runDir);
    const runId = manifest.run.id;
    expect(readFileSync(kit.marker, 'utf8'), 'after cxo run').toBe('');
    cxo(dir, ['verify', runId]);
    expect(readFileSync(kit.marker, 'utf8'), 'after cxo verify').toBe('');
    const review = cxo(dir, ['review', runId, '--approve', '--merge', '--by', 'bob']);
    expect(readFileSync(kit.marker, 'utf8'), 'after cxo review --approve --merge').toBe('');

    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(manifest.result).toMatchObject({ status: 'failed', reason: 'GitConfigChanged' });
    const codes = (manifest.integrity ?? []).map((f) => [f.code, f.step, f.file]);
    expect(codes).toContainEqual(['GitConfigChanged', 'builder', '.git/config']);
    expect(codes).toContainEqual(['GitConfigChanged', 'builder', '.git/hooks/post-checkout']);
    expect(manifest.integrity?.find((f) => f.file === '.git/config')?.message).toContain(
      'keys added: core.fsmonitor, filter.x.clean, filter.x.smudge, filter.x.process, filter.x.required',
    );
    expect(review.code, review.stdout + review.stderr).not.toBe(0);
    expect(gitIn(dir, 'log', '--merges', '--oneline')).toBe('');
  }, 120_000);

  it('a repository whose config already names hooks, an fsmonitor and filters: run, verify and review --approve --merge run none of them', () => {
    const kit = attackKit();
    const dir = repo({ '.gitattributes': '* filter=x\n' });
    // installed before the run (an earlier attack, or a hostile clone): nothing changes during it
    const installed = spawnSync('sh', [kit.install], { cwd: dir, encoding: 'utf8' });
    expect(installed.status, installed.stderr).toBe(0);
    const run = cxo(dir, [...runArgs('echo y > a.txt'), '--json']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const runId = readManifest(dir, runDirs(dir)[0]).run.id;
    expect(cxo(dir, ['verify', runId]).code).toBe(0);
    const review = cxo(dir, ['review', runId, '--approve', '--merge', '--by', 'bob']);
    expect(review.code, review.stdout + review.stderr).toBe(0);
    expect(readFileSync(kit.marker, 'utf8')).toBe('');
    expect(gitIn(dir, 'log', '--merges', '--format=%s')).toContain(`merge run ${runId}`);
  }, 120_000);

  it('commits escaping symlinks, attributes, submodules and hook files: static review fails the run with their codes, and no approval or merge takes it', () => {
    const dir = repo();
    const builder = [
      'ln -s /etc/passwd passwd',
      'ln -s ../../../root up',
      'mkdir -p sub && ln -s ../a.txt sub/inside',
      'ln -s .git/config gitconfig',
      "echo '* filter=x' > .gitattributes",
      'printf \'[submodule "s"]\\n\' > .gitmodules',
      'mkdir .husky && echo "echo hi" > .husky/pre-commit',
      'echo y > a.txt',
    ].join('; ');
    const run = cxo(dir, [...runArgs(builder), '--json']);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    const runDir = runDirs(dir)[0];
    const manifest = readManifest(dir, runDir);
    expect(manifest.result).toMatchObject({ status: 'failed', reason: 'GitMetadataFile' });
    const codes = (manifest.integrity ?? []).map((f) => `${f.code} ${f.file}`).sort();
    expect(codes).toEqual([
      'GitMetadataFile .gitattributes',
      'GitMetadataFile .gitmodules',
      'GitMetadataFile .husky/pre-commit',
      'SymlinkEscape gitconfig',
      'SymlinkEscape passwd',
      'SymlinkEscape up',
    ]);
    const review = JSON.parse(readFileSync(join(dir, runDir, 'review.json'), 'utf8')) as {
      findings: { code?: string }[];
    };
    expect(review.findings.filter((f) => f.code).length).toBe(6);
    const refused = cxo(dir, ['review', manifest.run.id, '--approve', '--merge', '--by', 'bob']);
    expect(refused.code).not.toBe(0);

    // a manifest edited to look clean: the approval is refused by the branch itself at merge time
    const forged = { ...manifest, integrity: [], result: { status: 'review', reason: null, error: null } };
    writeFileSync(join(dir, runDir, 'manifest.json'), `${JSON.stringify(forged, null, 2)}\n`);
    const merged = cxo(dir, ['review', manifest.run.id, '--approve', '--merge', '--by', 'bob']);
    expect(merged.code, merged.stdout).not.toBe(0);
    expect(merged.stderr).toContain(
      'symlink points outside the worktree: passwd -> /etc/passwd (SymlinkEscape)',
    );
    expect(gitIn(dir, 'log', '--merges', '--oneline')).toBe('');
    expect(gitIn(dir, 'ls-files')).not.toContain('passwd');
  }, 120_000);

  it('writes into the main checkout and beside its worktree: MainCheckoutChanged and OutsideWrite fail the run', () => {
    const dir = repo();
    const worktrees = mkdtempSync(join(tmpdir(), 'cxo-worktrees-'));
    const builder = [
      'main=$(dirname "$(git rev-parse --path-format=absolute --git-common-dir)")',
      'echo evil > "$main/evil.txt"',
      'echo evil > ../escape.txt',
      'echo y > a.txt',
    ].join('; ');
    const run = cxo(dir, [...runArgs(builder), '--json'], { CXO_WORKTREES_DIR: worktrees });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    const manifest = readManifest(dir, runDirs(dir)[0]);
    expect(manifest.result.reason).toBe('MainCheckoutChanged');
    const found = (manifest.integrity ?? []).map((f) => [f.code, f.step, f.message]);
    expect(found).toContainEqual([
      'MainCheckoutChanged',
      'builder',
      "a file of the main checkout changed outside the run's worktree: evil.txt",
    ]);
    expect(found).toContainEqual([
      'OutsideWrite',
      'builder',
      expect.stringMatching(/^written outside the worktree, beside it: .*\/escape\.txt was added$/),
    ]);
  }, 120_000);
});
