// Orchestrator overhead of one run: a no-op builder (`true`) and one trivial acceptance command
// (`true`), so everything measured is the orchestrator's own work (worktree, manifest, hashing,
// commit, cleanup), shown beside the floor of `git worktree add` + `git worktree remove`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { median, runOnce } from './measure.mjs';

export function measureRunOverhead({ cache, cli, env, runs }) {
  const root = join(cache, 'repos', 'run-overhead');
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const git = (...args) => spawnSync('git', args, { cwd: root, env, encoding: 'utf8' });
  git('init', '-q', '-b', 'main');
  writeFileSync(join(root, 'codex.config.yaml'), 'guard:\n  require_spec: false\n');
  writeFileSync(
    join(root, 'codex.tasks.json'),
    `${JSON.stringify({ version: 1, tasks: [{ id: 'noop', title: 'No-op', acceptance: ['true'] }] }, null, 2)}\n`,
  );
  writeFileSync(join(root, 'README.md'), '# bench\n');
  git('add', '-A');
  git('-c', 'user.name=bench', '-c', 'user.email=bench@localhost', 'commit', '-qm', 'init');
  const floorArgv = [
    'sh',
    '-c',
    'git worktree add -q -b "b$$" "../wt-$$" HEAD && git worktree remove --force "../wt-$$" && git branch -q -D "b$$"',
  ];
  const oursArgv = [
    process.execPath,
    cli,
    'run',
    'noop',
    '--role',
    'manager=none',
    '--role',
    'builder=command:true',
  ];
  const check = runOnce(oursArgv, { cwd: root, env, keepOutput: true });
  if (check.exit !== 0) return { error: `cxo run exited ${check.exit}: ${check.stderr.split('\n')[0]}` };
  const floor = [];
  const ours = [];
  for (let i = 0; i < runs; i++) {
    floor.push(runOnce(floorArgv, { cwd: root, env }).seconds);
    ours.push(runOnce(oursArgv, { cwd: root, env }).seconds);
  }
  return { floor: median(floor), ours: median(ours), runs };
}
