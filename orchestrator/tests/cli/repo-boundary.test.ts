import { existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cxo, gitIn, indexJson, makeRepo, read, writeFiles } from '../helpers/temp-repo.js';

// files a shared parent directory could hold: a config that would point every repository below
// at another task index, and a task index of its own
const PLANTED = {
  'codex.config.yaml': 'files:\n  tasks: planted-tasks.json\n',
  'codex.tasks.json': indexJson([{ id: 'planted', title: 'From the parent' }]),
  'planted-tasks.json': indexJson([{ id: 'planted', title: 'From the parent' }]),
};

/** A plain parent directory with planted files, and a fresh `git init` child beneath it. */
function childUnderPlantedParent(): { parent: string; child: string } {
  const parent = makeRepo(PLANTED);
  const child = join(parent, 'child');
  mkdirSync(child);
  gitIn(child, 'init', '-q', '-b', 'main');
  return { parent, child };
}

describe('repository discovery stops at the repository boundary', () => {
  it("cxo init scaffolds a fresh repository under a parent with task files; commands read the child's", () => {
    const { parent, child } = childUnderPlantedParent();
    const init = cxo(child, ['init']);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toMatch(/created\s+codex\.tasks\.json/);
    expect(init.stdout).not.toContain('nothing to do');
    expect(read(parent, 'codex.tasks.json')).toBe(PLANTED['codex.tasks.json']);
    const validate = cxo(child, ['validate']);
    expect(validate.stdout).toMatch(/^valid: 1 tasks, 1 specs/);
    // from a subdirectory of the child too: the nearest .git, not the nearest task file
    mkdirSync(join(child, 'src/deep'), { recursive: true });
    for (const cwd of [child, join(child, 'src/deep')]) {
      const list = cxo(cwd, ['tasks', 'list']);
      expect(list.code, list.stderr).toBe(0);
      expect(list.stdout).toContain('example-greeting');
      expect(list.stdout).not.toContain('planted');
    }
    // --repo stays authoritative: it names where to start
    expect(cxo(parent, ['tasks', 'list', '--repo', 'child']).stdout).toContain('example-greeting');
  });

  it("a linked worktree's .git file is a boundary as well", () => {
    const { child } = childUnderPlantedParent();
    cxo(child, ['init']);
    gitIn(child, 'add', '-A');
    gitIn(child, '-c', 'user.name=T', '-c', 'user.email=t@example.com', 'commit', '-qm', 'init');
    const linked = join(child, 'linked');
    gitIn(child, 'worktree', 'add', '-q', linked);
    writeFiles(linked, { 'codex.tasks.json': indexJson([{ id: 'in-worktree', title: 'W' }]) });
    expect(cxo(linked, ['tasks', 'list']).stdout).toContain('in-worktree');
  });

  it('outside any repository: read commands show a plain folder, what needs git exits 2, no .git is made', () => {
    const dir = makeRepo({
      'codex.config.yaml': 'guard:\n  require_spec: false\n',
      'codex.tasks.json': indexJson([{ id: 't1', title: 'One', acceptance: ['true'] }]),
    });
    const cache = mkdtempSync(join(tmpdir(), 'cxo-cache-'));
    const env = { XDG_CACHE_HOME: cache };
    expect(cxo(dir, ['tasks', 'list'], env).stdout).toContain('t1');
    expect(cxo(dir, ['validate'], env).code).toBe(0);
    for (const args of [
      ['run', 't1', '--role', 'builder=command:true'],
      ['watch', '--once'],
      ['resume', 't1'],
      ['init'],
    ]) {
      const r = cxo(dir, args, env);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(`${dir} is not in a git repository`);
      expect(r.stderr).toContain('git init');
    }
    expect(existsSync(join(dir, '.git'))).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(['codex.config.yaml', 'codex.tasks.json']);
    // the parse cache of a plain folder lives in the user's cache directory
    expect(readdirSync(join(cache, 'codex-orchestrator'))).toHaveLength(1);
  });
});
