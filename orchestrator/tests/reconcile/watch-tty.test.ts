import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { CLI, indexJson, makeRepo } from '../helpers/temp-repo.js';

it('on a terminal, cxo watch shows a live listr2 view: what runs, what ended', () => {
  const dir = makeRepo(
    {
      'codex.config.yaml':
        'guard:\n  require_spec: false\nagents:\n  manager: none\n  builder: "command:echo hi > hi.txt"\n',
      'codex.tasks.json': indexJson([
        { id: 'greet', title: 'Greet', request: 'r1' },
        { id: 'later', title: 'Later', request: 'r1', dependsOn: ['greet'] },
      ]),
    },
    { git: true },
  );
  const log = join(dir, '..', `watch-tty-${Date.now()}.log`);
  // the watcher gets SIGTERM after a few seconds, as Ctrl-C would stop it
  const command = `stty cols 120 rows 40; timeout -s TERM 6 ${process.execPath} ${CLI} watch`;
  spawnSync('script', ['-qec', command, log], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '', TERM: 'xterm', CXO_WATCH_GRACE_MS: '1000' },
    timeout: 30_000,
  });
  const screen = readFileSync(log, 'utf8').replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
  expect(screen).toMatch(/cxo watch: watching \d+ path\(s\), debounce 100 ms/);
  expect(screen).toMatch(/running:\s+greet\s+/);
  expect(screen).toMatch(/waiting:\s+later\s+on greet/);
  expect(screen).toMatch(/ended:\s+greet: review/);
  expect(screen).toContain('cxo watch: stopped');
});
