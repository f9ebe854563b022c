// Whole-process wall-clock timing with spawnSync + process.hrtime.bigint(), plus the helpers the
// harness uses to check a command's output, its side effects and its network use.

import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MAX_BUFFER = 512 * 1024 * 1024;

/**
 * Runs argv once in cwd; returns wall seconds and exit code. Timed runs pipe stdout/stderr and
 * discard them. With `keepOutput` (the verification run) the output goes to temporary files
 * instead and is returned: Node's "pipes" are socketpairs, and Backlog.md 1.52 (a Bun binary)
 * exits before draining a socket, so piped output of its larger listings arrives truncated.
 */
export function runOnce(argv, { cwd, env, keepOutput = false, timeoutMs = 300_000 }) {
  let dir;
  let out;
  let err;
  if (keepOutput) {
    dir = mkdtempSync(join(tmpdir(), 'cxo-bench-'));
    out = openSync(join(dir, 'stdout'), 'w');
    err = openSync(join(dir, 'stderr'), 'w');
  }
  const start = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), {
    cwd,
    env,
    stdio: ['ignore', keepOutput ? out : 'pipe', keepOutput ? err : 'pipe'],
    maxBuffer: MAX_BUFFER,
    timeout: timeoutMs,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const result = {
    seconds,
    exit: r.status,
    signal: r.signal,
    error: r.error ? String(r.error.message ?? r.error) : undefined,
  };
  if (keepOutput) {
    closeSync(out);
    closeSync(err);
    result.stdout = readFileSync(join(dir, 'stdout'), 'utf8');
    result.stderr = readFileSync(join(dir, 'stderr'), 'utf8');
    rmSync(dir, { recursive: true, force: true });
  }
  return result;
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07/g;
export const stripAnsi = (s) => s.replace(ANSI, '');

/** The line of stderr that says what went wrong: the first `...Error: ...` line, else the first line. */
export function errorLine(text) {
  const lines = stripAnsi(text ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.find((l) => /^(\w*Error\b|error\b|fatal\b)/i.test(l)) ?? lines[0] ?? '';
}

export function firstLine(text) {
  return (
    stripAnsi(text ?? '')
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l.length > 0) ?? ''
  );
}

export function git(cwd, args, env) {
  const r = spawnSync('git', args, { cwd, env, encoding: 'utf8', maxBuffer: MAX_BUFFER });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} in ${cwd}: ${r.stderr}`);
  return r.stdout;
}

/** Files git sees as changed or new (the stamp file is excluded through .git/info/exclude). */
export function dirtyFiles(cwd, env) {
  return git(cwd, ['status', '--porcelain', '--untracked-files=all'], env)
    .split('\n')
    .filter(Boolean)
    .map((l) => l.slice(3));
}

/** Puts the working tree back to the committed data set. */
export function resetRepo(cwd, env) {
  git(cwd, ['checkout', '-q', '--', '.'], env);
  git(cwd, ['clean', '-fdq'], env);
}

/** `git diff --numstat` totals of the working tree against HEAD. */
export function numstat(cwd, env) {
  let added = 0;
  let removed = 0;
  const files = [];
  for (const line of git(cwd, ['diff', '--numstat'], env).split('\n').filter(Boolean)) {
    const [a, d, file] = line.split('\t');
    added += Number(a) || 0;
    removed += Number(d) || 0;
    files.push(file);
  }
  return { added, removed, files };
}

/** Runs argv once under `strace -f -e trace=connect` and lists the inet connects it made. */
export function networkConnects(argv, { cwd, env }) {
  const probe = spawnSync('strace', ['-V'], { stdio: 'ignore' });
  if (probe.status !== 0) return { checked: false };
  const r = spawnSync('strace', ['-f', '-qq', '-e', 'trace=connect', '-o', '/dev/stderr', ...argv], {
    cwd,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: MAX_BUFFER,
    timeout: 300_000,
  });
  const connects = (r.stderr?.toString('utf8') ?? '')
    .split('\n')
    .filter((l) => /connect\(/.test(l) && /AF_INET6?/.test(l))
    .map((l) => {
      const addr = /sin6?_addr=inet_pton\(AF_INET6, "([^"]+)"\)|sin_addr=inet_addr\("([^"]+)"\)/.exec(l);
      const port = /sin6?_port=htons\((\d+)\)/.exec(l);
      return `${addr?.[1] ?? addr?.[2] ?? '?'}:${port?.[1] ?? '?'}`;
    });
  return { checked: true, connects: [...new Set(connects)] };
}

/** `cp -r` of a generated repository to `root`, with an identity for commits and a refreshed, clean index. */
export function scratchCopy(from, root, env) {
  const cp = spawnSync('cp', ['-r', from, root], { encoding: 'utf8' });
  if (cp.status !== 0) throw new Error(`cp -r ${from} ${root}: ${cp.stderr}`);
  git(root, ['config', 'user.name', 'bench'], env);
  git(root, ['config', 'user.email', 'bench@example.invalid'], env);
  // the copy has new inodes and times: refresh the stat data so nothing times a re-hash
  spawnSync('git', ['update-index', '-q', '--refresh'], { cwd: root, env, stdio: 'ignore' });
  const dirty = dirtyFiles(root, env);
  if (dirty.length) throw new Error(`scratch copy ${root} is not clean: ${dirty.slice(0, 3).join(', ')}`);
  return root;
}

/** Runs an in-process bench worker (a script taking its arguments as one JSON argv) and parses its JSON. */
export function runWorker(script, args, env) {
  const r = spawnSync(process.execPath, [script, JSON.stringify(args)], {
    env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) return { error: `exit ${r.status ?? r.signal}, ${errorLine(r.stderr) || 'no output'}` };
  return JSON.parse(r.stdout);
}
