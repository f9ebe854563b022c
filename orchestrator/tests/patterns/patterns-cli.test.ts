import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cxo, gitIn, indexJson, makeRepo, read } from '../helpers/temp-repo.js';

const OLD = "const a = new Buffer('hi');\nexport const b = Buffer(8);\n";
const NEW = "const a = Buffer.from('hi');\nexport const b = Buffer.alloc(8);\n";

describe('cxo patterns', () => {
  it('list and show read the index; show prints the options and the before/after example', () => {
    const list = cxo(process.cwd(), ['patterns', 'list', '--json']);
    expect(list.code).toBe(0);
    const ids = JSON.parse(list.stdout).patterns.map((p: { id: string }) => p.id);
    expect(ids).toEqual(expect.arrayContaining(['console-to-logger', 'buffer-constructor', 'error-cause']));
    const show = cxo(process.cwd(), ['patterns', 'show', 'console-to-logger']);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/options \(--option KEY=VALUE\):\n\s+logger \(string, default "logger"\)/);
    expect(show.stdout).toMatch(
      /--- before\n[\s\S]*console\.log\('loading settings from', path\);[\s\S]*--- after\n/,
    );
    const template = cxo(process.cwd(), ['patterns', 'show', 'review-checklist', '--json']);
    expect(JSON.parse(template.stdout).text).toMatch(/^# Reviewing a run/);
    const missing = cxo(process.cwd(), ['patterns', 'show', 'nope']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no pattern "nope" in the library/);
  });

  it('apply --dry-run prints the diff and writes nothing', () => {
    const dir = makeRepo({ 'src/a.js': OLD }, { git: true });
    const r = cxo(dir, ['patterns', 'apply', 'buffer-constructor', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      "--- a/src/a.js\n+++ b/src/a.js\n@@ -1,2 +1,2 @@\n-const a = new Buffer('hi');",
    );
    expect(r.stderr).toMatch(/would change 1 file .*dry run: nothing written/);
    expect(read(dir, 'src/a.js')).toBe(OLD);
    expect(gitIn(dir, 'status', '--porcelain')).toBe('');
  });

  it('apply writes the files, prints a diff git can apply, keeps file modes, and skips ignored files', () => {
    const dir = makeRepo(
      {
        '.gitignore': 'build/\n',
        'src/a.js': OLD,
        'bin/tool.cjs': OLD,
        'build/out.js': OLD,
        'node_modules/x/index.js': OLD,
        'notes.md': OLD,
      },
      { git: true },
    );
    chmodSync(join(dir, 'bin/tool.cjs'), 0o755);
    const r = cxo(dir, ['patterns', 'apply', 'buffer-constructor', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({
      applied: true,
      written: true,
      changed: ['bin/tool.cjs', 'src/a.js'],
      checked: 2,
    });
    expect(read(dir, 'src/a.js')).toBe(NEW);
    expect(read(dir, 'build/out.js')).toBe(OLD);
    expect(read(dir, 'node_modules/x/index.js')).toBe(OLD);
    expect(statSync(join(dir, 'bin/tool.cjs')).mode & 0o777).toBe(0o755);
    // the printed diff is the change: git applies it to the original files
    gitIn(dir, 'stash');
    writeFileSync(join(dir, '.git/pattern.diff'), result.diff);
    gitIn(dir, 'apply', '.git/pattern.diff');
    expect(read(dir, 'src/a.js')).toBe(NEW);
  });

  it('a file that does not parse is reported with its position and skipped; the others are changed', () => {
    const dir = makeRepo({ 'src/a.ts': OLD, 'src/broken.ts': 'const x = new Buffer(3;\n' });
    const r = cxo(dir, ['patterns', 'apply', 'buffer-constructor']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^src\/broken\.ts:1:23: skipped: cannot parse: syntax error: missing "\)"$/m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(read(dir, 'src/broken.ts')).toBe('const x = new Buffer(3;\n');
    expect(read(dir, 'src/a.ts')).toBe(NEW);
    const lint = cxo(dir, ['patterns', 'apply', 'prefer-node-protocol', '--json']);
    expect(JSON.parse(lint.stdout).skipped).toEqual([
      {
        file: 'src/broken.ts',
        line: 1,
        column: expect.any(Number),
        message: expect.stringMatching(/^cannot parse: /),
      },
    ]);
  });

  it('a pattern that does not apply is reported, exit 1, nothing written', () => {
    const dir = makeRepo({ 'src/a.js': NEW });
    const r = cxo(dir, ['patterns', 'apply', 'buffer-constructor']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`pattern buffer-constructor made no changes in ${dir} (1 file checked)\n`);
    expect(cxo(dir, ['patterns', 'apply', 'prd']).stderr).toMatch(
      /prd is a template: it is not applied to code/,
    );
    const bad = cxo(dir, ['patterns', 'apply', 'console-to-logger', '--option', 'colour=red']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/pattern console-to-logger has no option "colour"/);
  });

  it('a Buffer call whose argument may be a number or a string is left as it is and reported with its position', () => {
    const dir = makeRepo(
      { 'src/b.js': "export const sized = (size) => new Buffer(size);\nexport const s = new Buffer('x');\n" },
      { git: true },
    );
    const r = cxo(dir, ['patterns', 'apply', 'buffer-constructor']);
    expect(r.code, r.stderr).toBe(0);
    expect(read(dir, 'src/b.js')).toBe(
      "export const sized = (size) => new Buffer(size);\nexport const s = Buffer.from('x');\n",
    );
    expect(r.stderr).toContain('src/b.js:1:32');
    expect(r.stderr).toMatch(/use Buffer\.alloc\(size\) if size is a size, Buffer\.from\(size\) otherwise/);
  });

  it('--option sets a pattern option', () => {
    const dir = makeRepo({ 'lib/x.mjs': "export const f = () => console.warn('w');\n" });
    const r = cxo(dir, [
      'patterns',
      'apply',
      'console-to-logger',
      '--option',
      'logger=log',
      '--option',
      'module=./lib/log.js',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(read(dir, 'lib/x.mjs')).toBe(
      "import { log } from './log.js';\n\nexport const f = () => log.warn('w');\n",
    );
  });
});

describe('the pattern:<id> builder', () => {
  it('cxo run applies the pattern in the worktree without a model; the tester sees the change', () => {
    const dir = makeRepo(
      {
        'codex.config.yaml': 'guard:\n  require_spec: false\n',
        'codex.tasks.json': indexJson([
          {
            id: 't1',
            title: 'Drop the deprecated Buffer constructor',
            acceptance: [
              '! grep -rn "Buffer(" src | grep -v "Buffer\\.\\(from\\|alloc\\)("',
              'node src/a.mjs',
            ],
          },
        ]),
        'src/a.mjs': "const b = new Buffer('ok');\nif (b.toString() !== 'ok') process.exit(1);\n",
      },
      { git: true },
    );
    const r = cxo(dir, [
      'run',
      't1',
      '--role',
      'manager=none',
      '--role',
      'builder=pattern:buffer-constructor',
      '--role',
      'reviewer=none',
      '--json',
    ]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const runDir = join(dir, '.runs/t1', readdirSync(join(dir, '.runs/t1'))[0]);
    const manifest = JSON.parse(readFileSync(join(runDir, 'manifest.json'), 'utf8'));
    expect(manifest.result.status).toBe('review');
    const builder = manifest.steps.find((s: { role: string }) => s.role === 'builder');
    expect(builder).toMatchObject({
      adapter: 'pattern:buffer-constructor',
      status: 'succeeded',
      summary: 'applied pattern buffer-constructor: 1 file changed',
      model: null,
      usage: null,
    });
    expect(manifest.diff.files).toEqual(['src/a.mjs']);
    expect(manifest.commands.map((c: { exitCode: number }) => c.exitCode)).toEqual([0, 0]);
    expect(readFileSync(join(runDir, 'agents/builder.pattern.diff'), 'utf8')).toContain(
      "+const b = Buffer.from('ok');",
    );
    expect(manifest.artifacts.map((a: { path: string }) => a.path)).toEqual(
      expect.arrayContaining([expect.stringMatching(/agents\/builder\.pattern\.diff$/)]),
    );
  });

  it('a pattern that changes nothing fails the run with PatternNotApplied; an unknown one is a usage error', () => {
    const dir = makeRepo(
      {
        'codex.config.yaml': 'guard:\n  require_spec: false\n',
        'codex.tasks.json': indexJson([{ id: 't1', title: 'T', acceptance: ['true'] }]),
        'src/a.js': NEW,
      },
      { git: true },
    );
    const args = ['run', 't1', '--role', 'manager=none', '--role', 'reviewer=none', '--role'];
    const r = cxo(dir, [...args, 'builder=pattern:buffer-constructor']);
    expect(r.code).toBe(1);
    const runDir = join(dir, '.runs/t1', readdirSync(join(dir, '.runs/t1'))[0]);
    const manifest = JSON.parse(readFileSync(join(runDir, 'manifest.json'), 'utf8'));
    expect(manifest.result.status).toBe('failed');
    expect(manifest.steps.find((s: { role: string }) => s.role === 'builder').error).toMatchObject({
      code: 'PatternNotApplied',
      message: 'pattern buffer-constructor made no changes (1 files checked)',
    });
    const unknown = cxo(dir, [...args, 'builder=pattern:nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no pattern "nope" in the library/);
  });
});
