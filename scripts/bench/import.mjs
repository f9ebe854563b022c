// `cxo import` on two large real-shaped files (import-files.mjs): a task-master tasks.json of 9
// tags and 1,096 tasks (~1.5 MB) and a CO tasks/index.json (~1.7 MB) whose items name ~2,600 spec
// and PRD documents. Dry run and --write, whole process, median of N, each beside a floor measured
// in the same run (node reading and re-serialising the same file) and task-master itself on its file.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { coRepo, taskmasterFile } from './import-files.mjs';
import { median, runOnce } from './measure.mjs';

const TARGET_SECONDS = 2;

export function measureImport({ cache, cli, env, runs, taskmasterBin, taskmasterUnavailable, log }) {
  const base = join(cache, 'repos', 'import');
  rmSync(base, { recursive: true, force: true });
  mkdirSync(join(base, 'tm/.taskmaster/tasks'), { recursive: true });
  const tmFile = join(base, 'tm/.taskmaster/tasks/tasks.json');
  writeFileSync(tmFile, taskmasterFile());
  const coFile = coRepo(join(base, 'co'));
  const target = join(base, 'target');

  /** A fresh target repository for each run: only git and nothing imported yet. */
  const freshTarget = () => {
    rmSync(target, { recursive: true, force: true });
    mkdirSync(target, { recursive: true });
    spawnSync('git', ['init', '-q', '-b', 'main'], { cwd: target, env });
    // a config marks the repository root: without one, cxo would find the project's own further up
    writeFileSync(join(target, 'codex.config.yaml'), 'guard:\n  require_spec: false\n');
  };
  const time = (argv, { cwd, before } = {}) => {
    const seconds = [];
    let problem;
    for (let i = 0; i < runs; i++) {
      before?.();
      const r = runOnce(argv, { cwd: cwd ?? target, env, keepOutput: i === 0 });
      if (i === 0 && r.exit !== 0)
        problem = `exit ${r.exit}: ${(r.stderr || r.stdout).trim().split('\n').pop()}`;
      seconds.push(r.seconds);
    }
    return { seconds: median(seconds), problem };
  };
  const floorArgv = (file) => [
    process.execPath,
    '-e',
    `const fs=require('fs');const t=fs.readFileSync(${JSON.stringify(file)},'utf8');fs.writeFileSync(require('os').devNull,JSON.stringify(JSON.parse(t),null,2))`,
  ];

  const files = [
    {
      key: 'taskmaster',
      label: 'task-master tasks.json, 9 tags, 1,096 tasks',
      file: tmFile,
      format: 'taskmaster',
    },
    {
      key: 'co',
      label: 'CO tasks/index.json, 1,380 items, ~2,600 documents',
      file: coFile,
      format: 'co-index',
    },
  ];
  const rows = [];
  for (const f of files) {
    const floor = time(floorArgv(f.file), { cwd: base });
    const dry = time([process.execPath, cli, 'import', '--from', f.format, f.file], { before: freshTarget });
    const write = time([process.execPath, cli, 'import', '--from', f.format, f.file, '--write'], {
      before: freshTarget,
    });
    // the imported repository must validate: the last write's result
    const validate = runOnce([process.execPath, cli, 'validate'], { cwd: target, env, keepOutput: true });
    rows.push({
      ...f,
      bytes: statSync(f.file).size,
      floor: floor.seconds,
      dry: dry.seconds,
      write: write.seconds,
      problem:
        dry.problem ?? write.problem ?? (validate.exit !== 0 ? `validate exit ${validate.exit}` : undefined),
    });
    log(
      `import ${f.key}: dry ${dry.seconds.toFixed(3)} s, write ${write.seconds.toFixed(3)} s, floor ${floor.seconds.toFixed(3)} s`,
    );
  }

  // task-master reads its own file offline for `list` and `validate-dependencies` (the nearest to a dry run)
  let peer;
  if (taskmasterUnavailable) peer = { skipped: taskmasterUnavailable };
  else if (!existsSync(taskmasterBin)) peer = { skipped: `${taskmasterBin} is not installed` };
  else {
    const cwd = join(base, 'tm');
    const list = time([taskmasterBin, 'list', '--with-subtasks'], { cwd });
    const deps = time([taskmasterBin, 'validate-dependencies'], { cwd });
    peer =
      list.problem && deps.problem
        ? { skipped: `task-master did not run offline: ${list.problem}` }
        : { list: list.problem ? undefined : list.seconds, deps: deps.problem ? undefined : deps.seconds };
  }
  rmSync(target, { recursive: true, force: true });
  return { rows, peer, runs };
}

export function importMarkdown(result, { fmt, fmtX }) {
  const lines = [
    `| \`cxo import\`, whole process, median of ${result.runs} | size | floor: node JSON.parse + stringify | dry run | ratio | --write | ratio | target | result |`,
    '|---|---:|---:|---:|---:|---:|---:|---|---|',
  ];
  for (const r of result.rows) {
    const pass = !r.problem && r.write <= TARGET_SECONDS && r.dry <= TARGET_SECONDS;
    lines.push(
      `| ${r.label} | ${(r.bytes / 1e6).toFixed(2)} MB | ${fmt(r.floor)} | ${fmt(r.dry)} | ${fmtX(r.dry / r.floor)} | ${fmt(r.write)} | ${fmtX(r.write / r.floor)} | ≤ ${TARGET_SECONDS} s | **${pass ? 'PASS' : 'FAIL'}**${r.problem ? ` (${r.problem})` : ''} |`,
    );
  }
  const p = result.peer;
  lines.push(
    '',
    p.skipped
      ? `task-master peer: skipped (${p.skipped}).`
      : `task-master on the same tasks.json: \`list --with-subtasks\` ${fmt(p.list)}, \`validate-dependencies\` ${fmt(p.deps)} (cxo dry run: ${fmtX(p.deps / result.rows[0].dry)} faster than validate-dependencies).`,
  );
  return lines.join('\n');
}
