import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/repo/repo-files.js';
import { cxo, indexJson, makeRepo } from '../helpers/temp-repo.js';

const CACHE = '.git/codex-orchestrator/config.json';

/** A repository whose config moves the task index, so a command shows whether the config was used. */
function repoWithConfig(): string {
  return makeRepo(
    {
      'codex.config.yaml': 'version: 1\nfiles:\n  tasks: work/tasks.json\n',
      'work/tasks.json': indexJson([{ id: 'moved-task', title: 'Moved' }]),
    },
    { git: true },
  );
}

describe('the config cache (content-addressed, like the index checks)', () => {
  it('a read command caches the checked config and answers from it the next time', async () => {
    const dir = repoWithConfig();
    expect(cxo(dir, ['tasks', 'list']).stdout).toMatch(/moved-task/);
    const stored = JSON.parse(readFileSync(join(dir, CACHE), 'utf8')) as { entries: Record<string, unknown> };
    expect(Object.values(stored.entries)).toEqual([
      { data: { version: 1, files: { tasks: 'work/tasks.json' } }, diagnostics: [] },
    ]);
    expect(cxo(dir, ['tasks', 'list']).stdout).toMatch(/moved-task/);
    // what the cache gives is what a parse gives: the defaults with the file's value over them
    const fresh = await loadConfig(dir);
    const cached = await loadConfig(dir, { cache: true });
    expect(cached).toEqual(fresh);
    expect(cached.config.files.tasks).toBe('work/tasks.json');
    expect(cached.config.base_branch).toBe('main');
  });

  it('a config changed after it was cached is parsed again: a bad one is a positioned error', () => {
    const dir = repoWithConfig();
    expect(cxo(dir, ['tasks', 'list']).code).toBe(0);
    writeFileSync(join(dir, 'codex.config.yaml'), 'version: 1\nfiles:\n  tasks: 7\n');
    const r = cxo(dir, ['tasks', 'list']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/codex\.config\.yaml:3:\d+: error/);
    expect(r.stderr).toMatch(/codex\.config\.yaml is invalid/);
  });

  it('an invalid config is never cached, and CXO_NO_CACHE writes no cache', () => {
    const bad = makeRepo(
      { 'codex.config.yaml': 'version: 1\nconcurrency: 0\n', 'codex.tasks.json': indexJson([]) },
      { git: true },
    );
    expect(cxo(bad, ['tasks', 'list']).code).toBe(2);
    expect(cxo(bad, ['tasks', 'list']).stderr).toMatch(/codex\.config\.yaml:2:14: error/);
    expect(existsSync(join(bad, CACHE))).toBe(false);

    const dir = repoWithConfig();
    expect(cxo(dir, ['tasks', 'list'], { CXO_NO_CACHE: '1' }).stdout).toMatch(/moved-task/);
    expect(existsSync(join(dir, CACHE))).toBe(false);
  });
});
