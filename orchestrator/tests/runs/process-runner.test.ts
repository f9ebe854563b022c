import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, type ExpectStatic, it } from 'vitest';
import { type RunProcessOptions, runProcess } from '../../src/runs/process-runner.js';
import { createRedactor } from '../../src/runs/redaction.js';
import { scrubEnv } from '../../src/runs/scrubbed-env.js';

// Real processes, no mocks. The tests run concurrently: several wait for a process group to vanish
// completely (see `waitForGroupGone`), which takes a while where init reaps orphans slowly.

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cxo-runner-'));
  dirs.push(dir);
  return dir;
}

const BASE_ENV = scrubEnv(process.env);

function run(command: string | string[], options: Partial<RunProcessOptions> = {}) {
  const dir = tempDir();
  const env = options.env ?? BASE_ENV;
  return runProcess({
    command,
    cwd: dir,
    env,
    outputDir: join(dir, 'logs'),
    name: 'step',
    maxLogBytes: 1024 * 1024,
    redactor: createRedactor({ env, patterns: [] }),
    ...options,
  });
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const read = (path: string) => readFileSync(path, 'utf8');

interface Member {
  pid: number;
  state: string;
  cmd: string;
}

/** The processes in a process group, from /proc (zombies included, with an empty cmd). */
function groupMembers(pgid: number): Member[] {
  const members: Member[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue;
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      members.push({ pid: Number(entry), state: fields[0], cmd });
    } catch {
      // exited while we looked
    }
  }
  return members;
}

const liveMembers = (pgid: number) => groupMembers(pgid).filter((m) => m.state !== 'Z' && m.state !== 'X');

function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Dead members are zombies until init reaps them (here PID 1 reaps only every ~2 s), so
 * kill(-pgid, 0) may keep finding the group for a moment after every process in it has died.
 */
async function waitForGroupGone(expect: ExpectStatic, pgid: number): Promise<void> {
  await expect.poll(() => groupExists(pgid), { timeout: 8000, interval: 50 }).toBe(false);
  expect(() => process.kill(-pgid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
}

const ALNUM36 = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJ';
const PRIVATE_KEY = [
  '-----BEGIN RSA PRIVATE KEY-----',
  'MIIEpAIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB',
  'aFDrBz9vFqU4yQIDAQABAoIBAQCq',
  '-----END RSA PRIVATE KEY-----',
].join('\n');

describe.concurrent('runProcess', () => {
  it('reports the exit code and writes empty logs for a silent command', async ({ expect }) => {
    const r = await run('exit 3');
    expect(r).toMatchObject({ exitCode: 3, signal: null, timedOut: false, cancelled: false });
    expect(r.error).toBeUndefined();
    expect(r.pid).toBeGreaterThan(0);
    expect(r.durationMs).toBeGreaterThan(0);
    expect(r.stdout.path.endsWith('step.stdout.log')).toBe(true);
    expect(r.stderr.path.endsWith('step.stderr.log')).toBe(true);
    expect(read(r.stdout.path)).toBe('');
    expect(r.stdout).toEqual({ path: r.stdout.path, bytes: 0, sha256: sha256('') });
  });

  it('runs an argv without a shell and captures both streams', async ({ expect }) => {
    const r = await run([
      process.execPath,
      '-e',
      'process.stdout.write("out $HOME\\n"); process.stderr.write("err\\n"); process.exit(7)',
    ]);
    expect(r.exitCode).toBe(7);
    expect(read(r.stdout.path)).toBe('out $HOME\n');
    expect(read(r.stderr.path)).toBe('err\n');
    expect(r.stdout.bytes).toBe(10);
    expect(r.stdout.sha256).toBe(sha256('out $HOME\n'));
    expect(r.stdout.truncated).toBeUndefined();
  });

  it('reports the signal that killed the child', async ({ expect }) => {
    const r = await run('kill -USR1 $$; sleep 5');
    expect(r).toMatchObject({ exitCode: null, signal: 'SIGUSR1', timedOut: false });
  });

  it('on timeout kills the whole process group, grandchildren included', async ({ expect }) => {
    let grandchild = 0;
    const r = await run('sleep 300 & echo $!; sleep 300', {
      timeoutMs: 300,
      graceMs: 500,
      onLine: (_stream, line) => (grandchild = Number(line)),
    });
    expect(r).toMatchObject({ exitCode: null, signal: 'SIGTERM', timedOut: true, cancelled: false });
    expect(r.durationMs).toBeGreaterThanOrEqual(290);
    expect(r.durationMs).toBeLessThan(3000);
    expect(grandchild).toBeGreaterThan(0);
    expect(processAlive(grandchild)).toBe(false);
    expect(liveMembers(r.pid)).toEqual([]);
    expect(groupMembers(r.pid).filter((m) => m.cmd === 'sleep 300')).toEqual([]);
    await waitForGroupGone(expect, r.pid);
  });

  it('kills a background grandchild left behind by a command that succeeded', async ({ expect }) => {
    let grandchild = 0;
    const started = performance.now();
    const r = await run('sleep 300 & echo $!', { onLine: (_s, line) => (grandchild = Number(line)) });
    expect(performance.now() - started).toBeLessThan(3000);
    expect(r).toMatchObject({ exitCode: 0, signal: null, timedOut: false });
    expect(r.error).toBeUndefined();
    expect(read(r.stdout.path)).toBe(`${grandchild}\n`);
    expect(processAlive(grandchild)).toBe(false);
    expect(liveMembers(r.pid)).toEqual([]);
    await waitForGroupGone(expect, r.pid);
  });

  it('does not hang on a process outside the group that holds the pipes open', async ({ expect }) => {
    const started = performance.now();
    const r = await run('setsid sleep 3 & echo ok');
    expect(performance.now() - started).toBeLessThan(2000);
    expect(r.exitCode).toBe(0);
    expect(read(r.stdout.path)).toBe('ok\n');
  });

  it('cancels through an AbortSignal', async ({ expect }) => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const r = await run('sleep 300', { signal: controller.signal, graceMs: 500 });
    expect(r).toMatchObject({ exitCode: null, signal: 'SIGTERM', cancelled: true, timedOut: false });
    expect(liveMembers(r.pid)).toEqual([]);
  });

  it('does not start a command whose signal is already aborted', async ({ expect }) => {
    const r = await run('echo should-not-run', { signal: AbortSignal.abort() });
    expect(r).toMatchObject({ pid: 0, exitCode: null, cancelled: true });
    expect(read(r.stdout.path)).toBe('');
  });

  it('SIGKILLs a child that ignores SIGTERM once the grace period is over', async ({ expect }) => {
    const r = await run("trap '' TERM; sleep 300", { timeoutMs: 200, graceMs: 300 });
    expect(r).toMatchObject({ exitCode: null, signal: 'SIGKILL', timedOut: true });
    expect(r.durationMs).toBeGreaterThanOrEqual(480);
    expect(r.durationMs).toBeLessThan(3000);
    expect(liveMembers(r.pid)).toEqual([]);
    await waitForGroupGone(expect, r.pid);
  });

  it('cuts a log at the cap and records the size and hash of the full output', async ({ expect }) => {
    const full = Buffer.from(Array.from({ length: 1000 }, (_, i) => `${i + 1}\n`).join(''));
    const r = await run('seq 1 1000', { maxLogBytes: 999 });
    expect(r.exitCode).toBe(0);
    const stored = readFileSync(r.stdout.path);
    const head = full.subarray(0, 999).toString();
    expect(head.endsWith('\n')).toBe(false); // the cut falls inside a line
    expect(stored.toString()).toBe(`${head}\n[truncated: ${full.length} bytes, sha256 ${sha256(full)}]\n`);
    expect(r.stdout.bytes).toBe(stored.length);
    expect(r.stdout.sha256).toBe(sha256(stored));
    expect(r.stdout.truncated).toEqual({ bytes: full.length, sha256: sha256(full) });
  });

  it('stores a large output completely when it fits', async ({ expect }) => {
    const full = Array.from({ length: 200_000 }, (_, i) => `${i + 1}\n`).join('');
    const r = await run('seq 1 200000', { maxLogBytes: 8 * 1024 * 1024 });
    expect(r.stdout.bytes).toBe(Buffer.byteLength(full));
    expect(r.stdout.sha256).toBe(sha256(full));
    expect(read(r.stdout.path)).toBe(full);
  });

  it('does not mark a log that fits exactly at the cap', async ({ expect }) => {
    const r = await run('printf "12345\\n"', { maxLogBytes: 6 });
    expect(read(r.stdout.path)).toBe('12345\n');
    expect(r.stdout.truncated).toBeUndefined();
  });

  it('redacts a secret printed in two chunks, in the log and in onLine', async ({ expect }) => {
    const lines: string[] = [];
    const env = { ...BASE_ENV };
    const redactor = createRedactor({ env, patterns: [] });
    const r = await run(
      `printf 'token ghp_'; sleep 0.2; printf '${ALNUM36}\\n'; printf 'last ghp_${ALNUM36}'`,
      {
        env,
        redactor,
        onLine: (stream, line) => lines.push(`${stream}: ${line}`),
      },
    );
    expect(r.exitCode).toBe(0);
    // the unterminated last line is flushed at exit
    expect(read(r.stdout.path)).toBe('token [REDACTED:github-token]\nlast [REDACTED:github-token]');
    expect(lines).toEqual(['stdout: token [REDACTED:github-token]', 'stdout: last [REDACTED:github-token]']);
    expect(redactor.count).toBe(2);
  });

  it('redacts the values of secret environment variables', async ({ expect }) => {
    const env = { ...BASE_ENV, MY_SERVICE_TOKEN: 'svc-0123456789-secret' };
    const r = await run('echo "using $MY_SERVICE_TOKEN" >&2', { env });
    expect(read(r.stderr.path)).toBe('using [REDACTED:env:MY_SERVICE_TOKEN]\n');
    expect(r.stderr.sha256).toBe(sha256('using [REDACTED:env:MY_SERVICE_TOKEN]\n'));
  });

  it('redacts a private key block spread over lines (stdin written, then closed)', async ({ expect }) => {
    const lines: string[] = [];
    const r = await run('cat', {
      stdin: `before\n${PRIVATE_KEY}\nafter\n`,
      timeoutMs: 5000,
      onLine: (_s, line) => lines.push(line),
    });
    expect(r).toMatchObject({ exitCode: 0, timedOut: false });
    expect(read(r.stdout.path)).toBe('before\n[REDACTED:private-key]\nafter\n');
    expect(lines).toEqual(['before', '[REDACTED:private-key]', 'after']);
  });

  it('gives a lone CR its own line in onLine and stores output as it was', async ({ expect }) => {
    const lines: string[] = [];
    const r = await run("printf '10%%\\r50%%\\rdone\\r\\nend'", { onLine: (_s, line) => lines.push(line) });
    expect(lines).toEqual(['10%', '50%', 'done', 'end']);
    expect(read(r.stdout.path)).toBe('10%\r50%\rdone\r\nend');
  });

  it('resolves with an error naming a missing binary', async ({ expect }) => {
    const r = await run(['cxo-no-such-binary-for-tests', '--flag']);
    expect(r).toMatchObject({ pid: 0, exitCode: null, signal: null, timedOut: false, cancelled: false });
    expect(r.error).toMatch(/cxo-no-such-binary-for-tests/);
    expect(r.error).toMatch(/not found/);
    expect(existsSync(r.stdout.path)).toBe(true);
    expect(r.stdout.bytes).toBe(0);
  });

  it('resolves with an error for a missing working directory or an empty command', async ({ expect }) => {
    const missing = await run('true', { cwd: join(tempDir(), 'nope') });
    expect(missing.exitCode).toBeNull();
    expect(missing.error).toMatch(/working directory does not exist/);
    const empty = await run([]);
    expect(empty.error).toBe('empty command');
  });

  it('gives the child a closed stdin when none is given', async ({ expect }) => {
    const r = await run('cat; echo "cat done"', { timeoutMs: 5000 });
    expect(r).toMatchObject({ exitCode: 0, timedOut: false });
    expect(read(r.stdout.path)).toBe('cat done\n');
    expect(r.durationMs).toBeLessThan(2000);
  });

  it('passes only the scrubbed environment to the child', async ({ expect }) => {
    const env = scrubEnv(
      {
        PATH: process.env.PATH,
        HOME: '/home/x',
        LC_ALL: 'C',
        GITHUB_TOKEN: 'ghp_should_not_leak',
        CXO_ONE: '1',
        CXO_TWO: '2',
        KEEP_ME: 'k',
        OTHER: 'o',
      },
      { passThrough: ['CXO_*', 'KEEP_ME'], set: { EXTRA: 'e', HOME: undefined } },
    );
    expect(env).toEqual({
      PATH: process.env.PATH,
      LC_ALL: 'C',
      CXO_ONE: '1',
      CXO_TWO: '2',
      KEEP_ME: 'k',
      EXTRA: 'e',
    });
    const r = await run('env | sort', { env });
    const names = read(r.stdout.path)
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split('=')[0]);
    expect(names).not.toContain('GITHUB_TOKEN');
    expect(names).not.toContain('OTHER');
    expect(names).toEqual(
      expect.arrayContaining(['CXO_ONE', 'CXO_TWO', 'EXTRA', 'KEEP_ME', 'LC_ALL', 'PATH']),
    );
  });
});
