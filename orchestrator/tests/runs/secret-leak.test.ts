import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { worktreeDirOf } from '../../src/runs/run-layout.js';
import { runArgs, runDirs, readManifest, worktreePaths } from '../helpers/run-repo.js';
import { cxo, gitIn, indexJson, makeRepo } from '../helpers/temp-repo.js';

// 25 bytes: not a multiple of 3, so each base64 alignment ends differently
const SECRET = 'dt-9f8e7d6c5b4a3210-zyxwv';

/**
 * The builder writes the secret it was given (through env.pass_through) in every form, one file
 * each, and prints the split one, so that a log holds it over two lines too.
 */
const LEAK_SH = `
s="$DEPLOY_TOKEN"
head=$(printf %s "$s" | cut -c1-12)
tail=$(printf %s "$s" | cut -c13-)
printf '%s\\n' "$s" > literal.txt
printf 'const token = "%s" +\\n  "%s";\\n' "$head" "$tail" > split.js
printf '%s' "$s" | base64 > base64-0.txt
printf 'x%s' "$s" | base64 > base64-1.txt
printf 'xy%s' "$s" | base64 > base64-2.txt
{ printf 'a larger payload, with the value in the middle: '; printf %s "$s"; printf ' and more after it, enough to wrap'; } | base64 > blob.txt
printf %s "$s" | od -An -tx1 | tr -d ' \\n' > hex.txt
printf '\\000\\001%s\\000' "$s" > binary.bin
echo 'attr.txt -diff' > .gitattributes
printf '%s\\n' "$s" > attr.txt
cat split.js
`;
const FILES = [
  'literal.txt',
  'split.js',
  'base64-0.txt',
  'base64-1.txt',
  'base64-2.txt',
  'blob.txt',
  'hex.txt',
  // shown by git as binary: one by its content, one by the .gitattributes the builder wrote
  'binary.bin',
  'attr.txt',
];

/** What must not be found anywhere: the value, each half of it, the core of each base64 alignment, hex. */
const FORMS = [
  SECRET,
  SECRET.slice(0, 12),
  SECRET.slice(12),
  ...[0, 1, 2].map((k) =>
    Buffer.from(`${'x'.repeat(k)}${SECRET}`)
      .toString('base64')
      .slice(4, -4),
  ),
  Buffer.from(SECRET).toString('hex'),
];

function leakRepo(): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = makeRepo(
    {
      'codex.config.yaml': 'guard:\n  require_spec: false\nenv:\n  pass_through: [DEPLOY_TOKEN]\n',
      'codex.tasks.json': indexJson([{ id: 't1', title: 'Task one' }]),
      'leak.sh': LEAK_SH,
    },
    { git: true },
  );
  const env = { DEPLOY_TOKEN: SECRET, CXO_WORKTREES_DIR: mkdtempSync(join(tmpdir(), 'cxo-worktrees-')) };
  return { dir, env };
}

/** Every file under a directory, as text (latin1: a byte is a character). */
function filesUnder(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isFile()) files.set(path, readFileSync(path, 'latin1'));
  }
  return files;
}

/** Every place git keeps something: all refs' history and patches, reflogs, a grep of every ref, every object. */
function gitEverything(dir: string): Map<string, string> {
  const refs = gitIn(dir, 'for-each-ref', '--format=%(refname)').split('\n').filter(Boolean);
  const grep = spawnSync('git', ['grep', '-I', '-e', SECRET.slice(0, 12), '-e', SECRET.slice(12), ...refs], {
    cwd: dir,
    encoding: 'utf8',
  });
  const objects = spawnSync('git', ['cat-file', '--batch-all-objects', '--batch'], {
    cwd: dir,
    encoding: 'latin1',
  });
  return new Map([
    ['git log --all -p', gitIn(dir, 'log', '--all', '-p', '--reflog')],
    ['git reflog', gitIn(dir, 'reflog', 'show', '--all')],
    ['git grep (every ref)', grep.stdout],
    ['every object in the store', objects.stdout],
  ]);
}

function expectNoForm(places: Map<string, string>): void {
  for (const [place, text] of places) {
    for (const form of FORMS) expect(text.includes(form), `${form} in ${place}`).toBe(false);
  }
}

describe('a secret the builder leaks', () => {
  it.each([
    ['committed', [] as string[]],
    ['--no-commit', ['--no-commit']],
  ])(
    '(%s) is found in each form, and nothing the run keeps holds it',
    (_mode, extra) => {
      const { dir, env } = leakRepo();
      const r = cxo(dir, runArgs('sh leak.sh', ...extra), env);
      expect(r.code, r.stderr).toBe(1);
      const [runDir] = runDirs(dir);
      const manifest = readManifest(dir, runDir);
      expect(manifest.result.reason).toBe('SecretLeak');
      // one finding per file: every form was recognised
      const review = JSON.parse(readFileSync(join(dir, runDir, 'review.json'), 'utf8'));
      const leaked = review.findings.filter((f: { message: string }) => /secret/.test(f.message));
      expect(leaked.map((f: { file: string }) => f.file).sort()).toEqual([...FILES].sort());
      expect(review.findings.find((f: { file: string }) => f.file === 'split.js')).toMatchObject({ line: 1 });
      // the run branch, its worktree and its objects are gone; the repository is sound
      expect(gitIn(dir, 'branch', '--list', 'codex/*')).toBe('');
      expect(worktreePaths(dir)).toHaveLength(1);
      expect(existsSync(worktreeDirOf(dir, manifest.run.id, env))).toBe(false);
      expect(spawnSync('git', ['fsck', '--no-dangling'], { cwd: dir }).status).toBe(0);
      // nowhere: the evidence (committed by the write-back), git, what cxo printed
      expectNoForm(filesUnder(join(dir, runDir)));
      expectNoForm(gitEverything(dir));
      expectNoForm(new Map([['cxo output', r.stdout + r.stderr]]));
      expect(readFileSync(join(dir, manifest.diff!.artifact), 'utf8')).toContain(
        '[REDACTED:env:DEPLOY_TOKEN]',
      );
      // the redacted artifacts' hashes were recomputed
      const verify = cxo(dir, ['verify', manifest.run.id], env);
      expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    },
    60_000,
  );
});
