/**
 * The sandbox of the commands run on the builder's behalf, against a hostile `command:` builder
 * (real bubblewrap, the built CLI): every escape the issue measured is contained, and the manifest
 * says which sandbox applied. `sandbox.mode: none` still works and says so.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunManifest } from '../../src/runs/manifest-types.js';
import { worktreeDirOf } from '../../src/runs/run-layout.js';
import { validateRunManifest } from '../../src/generated/validators.js';
import {
  cxoAsync,
  groupAlive,
  groupCommands,
  readManifest,
  runArgs,
  runDirs,
  waitFor,
} from '../helpers/run-repo.js';
import { CLI, gitIn, indexJson, makeRepo } from '../helpers/temp-repo.js';

const marker = `cxo-escape-${randomBytes(4).toString('hex')}`;
/** A variable only the orchestrator has (it is not passed on): the builder must not see it. */
const CANARY = `canary-${randomBytes(8).toString('hex')}`;

/**
 * The attacker: each attempt prints `<name>: ESCAPED` or `<name>: contained`, with the error on
 * stderr; it exits 0 so the run goes on to record everything.
 */
const ATTACK = `#!/bin/sh
try() { name=$1; shift; if "$@"; then echo "$name: ESCAPED"; else echo "$name: contained"; fi; }
common=$(git rev-parse --path-format=absolute --git-common-dir)
main=$(dirname "$common")
try main-checkout sh -c "echo pwned > '$main/pwned.txt'"
try git-config git config --file "$common/config" core.hooksPath /tmp/evil-hooks
try git-hook sh -c "printf '#!/bin/sh\\necho hook' > '$common/hooks/post-checkout'"
echo x > ../${marker}-parent.txt
echo x > "$ATTACK_HOST_TMP/${marker}-tmp.txt"
echo x > "$HOME/${marker}-home.txt"
ls -A "$HOME" > home-listing.txt
pid=$(sed -n 's/.*"pid": \\([0-9]*\\).*/\\1/p' "$(dirname "$CXO_PROMPT_FILE")/../manifest.json" | head -n 1)
echo "orchestrator pid: $pid"
try proc-environ sh -c "tr '\\\\0' '\\\\n' < /proc/$pid/environ | grep CXO_SANDBOX_CANARY"
for f in /proc/[0-9]*/environ; do tr '\\0' '\\n' < "$f" 2>/dev/null; done | grep CXO_SANDBOX_CANARY && echo "environ-scan: ESCAPED" || echo "environ-scan: contained"
node -e "require('net').connect(Number(process.env.ATTACK_PORT), '127.0.0.1').on('connect', () => { console.log('tcp: connected'); process.exit(0) }).on('error', (e) => { console.log('tcp: refused ' + e.code); process.exit(0) })"
echo built > built.txt
exit 0
`;

let server: Server;
let port = 0;
let connections = 0;
let hostTmp: string;

beforeAll(async () => {
  hostTmp = mkdtempSync(join(tmpdir(), 'cxo-sandbox-host-'));
  server = createServer((socket) => {
    connections++;
    socket.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(hostTmp, { recursive: true, force: true });
  // only there if the sandbox failed
  rmSync(join(homedir(), `${marker}-home.txt`), { force: true });
});

function repo(sandbox: string, extra: Record<string, string> = {}): string {
  return makeRepo(
    {
      'codex.config.yaml': `guard:\n  require_spec: false\ntimeouts:\n  step_seconds: 60\n  command_seconds: 30\nenv:\n  pass_through: [ATTACK_*]\n${sandbox}`,
      'codex.tasks.json': indexJson([{ id: 't1', title: 'Task one', acceptance: ['test -f built.txt'] }]),
      'attack.sh': ATTACK,
      ...extra,
    },
    { git: true },
  );
}

async function attack(
  dir: string,
  builder = 'sh attack.sh',
): Promise<{ manifest: RunManifest; out: string; err: string; code: number; stderr: string }> {
  const r = await cxoAsync(dir, runArgs(builder, '--no-commit'), {
    ATTACK_HOST_TMP: hostTmp,
    ATTACK_PORT: String(port),
    CXO_SANDBOX_CANARY: CANARY,
  });
  const [runDir] = runDirs(dir);
  const manifest = readManifest(dir, runDir);
  expect(validateRunManifest(manifest), JSON.stringify(validateRunManifest.errors)).toBe(true);
  const log = (s: string) => readFileSync(join(dir, runDir, `agents/builder.${s}.log`), 'utf8');
  return { manifest, out: log('stdout'), err: log('stderr'), code: r.code, stderr: r.stderr };
}

describe('the sandbox (bubblewrap)', () => {
  it('contains every escape of a hostile builder, and the manifest says which sandbox applied', async () => {
    const dir = repo('');
    const { manifest, out, err, code, stderr } = await attack(dir);
    expect(code, stderr).toBe(0);
    const worktree = worktreeDirOf(dir, manifest.run.id);

    // the main checkout, its git config and hooks are read-only; the failures are in the logs
    for (const attempt of ['main-checkout', 'git-config', 'git-hook'])
      expect(out).toContain(`${attempt}: contained`);
    expect(err).toMatch(/Read-only file system/);
    expect(existsSync(join(dir, 'pwned.txt'))).toBe(false);
    expect(gitIn(dir, 'config', '--list')).not.toContain('hookspath');
    expect(existsSync(join(dir, '.git/hooks/post-checkout'))).toBe(false);

    // ../, the host's /tmp and $HOME are empty tmpfs of the sandbox: nothing lands on the host
    expect(existsSync(join(dirname(worktree), `${marker}-parent.txt`))).toBe(false);
    expect(existsSync(join(hostTmp, `${marker}-tmp.txt`))).toBe(false);
    expect(existsSync(join(homedir(), `${marker}-home.txt`))).toBe(false);
    expect(readFileSync(join(worktree, 'home-listing.txt'), 'utf8')).not.toMatch(/\.gitconfig|\.ssh/);

    // no process of the orchestrator is visible, so neither is its environment
    expect(out).toMatch(new RegExp(`orchestrator pid: ${manifest.run.pid}\\n`));
    expect(out).toContain('proc-environ: contained');
    expect(out).toContain('environ-scan: contained');
    expect(out + err).not.toContain(CANARY);

    // loopback only: the host's server is out of reach
    expect(out).toMatch(/tcp: refused/);
    expect(connections).toBe(0);

    // the work itself is done in the worktree, and the manifest records the sandbox
    expect(existsSync(join(worktree, 'built.txt'))).toBe(true);
    const builder = manifest.steps.find((s) => s.role === 'builder')!;
    expect(builder.sandbox).toMatchObject({ mode: 'bwrap', reason: null, network: 'deny' });
    expect(builder.sandbox!.limits).toMatchObject({ memory_mb: 4096 });
    expect(manifest.commands[0].sandbox).toMatchObject({ mode: 'bwrap', network: 'deny' });
    expect(manifest.steps.find((s) => s.role === 'manager')!.sandbox).toBeNull();
  });

  it('sandbox.network: allow reaches the host network', async () => {
    const before = connections;
    const { manifest, out } = await attack(repo('sandbox:\n  network: allow\n'));
    expect(out).toContain('tcp: connected');
    expect(connections).toBe(before + 1);
    expect(manifest.steps[1].sandbox).toMatchObject({ mode: 'bwrap', network: 'allow' });
  });

  it('bounds a fork bomb by the pids limit and a memory hog by the memory limit', async () => {
    const dir = repo('sandbox:\n  pids: 32\n  memory_mb: 64\n', {
      'bomb.sh': [
        'head -c 400000000 /dev/zero | tail -n 1 > /dev/null; echo "hog exit: $?"',
        'i=0; while [ $i -lt 300 ]; do sleep 20 & i=$((i+1)); done',
        'echo "started all 300"',
        '',
      ].join('\n'),
    });
    const started = Date.now();
    const { manifest, out, err } = await attack(dir, 'sh bomb.sh');
    expect(Date.now() - started).toBeLessThan(25_000);
    const limits = manifest.steps[1].sandbox!.limits!;
    expect(limits.memory_via).not.toBeNull();
    expect(out).toMatch(/hog exit: [1-9]/);
    if (limits.pids_via === null) {
      // root without a writable cgroup: the kernel ignores RLIMIT_NPROC, and the manifest says so
      expect(limits.pids).toBeNull();
    } else {
      expect(limits).toMatchObject({ pids: 32, memory_mb: 64 });
      expect(out).not.toContain('started all 300');
      expect(err).toMatch(/fork|Resource temporarily unavailable/i);
      expect(manifest.steps[1].status).toBe('failed');
    }
  });
});

describe('the sandbox and the run process', () => {
  it('a run killed with SIGKILL takes its sandboxed builder with it (--die-with-parent)', async () => {
    const dir = repo('');
    const run = spawn(process.execPath, [CLI, ...runArgs('echo started > started.txt; sleep 60')], {
      cwd: dir,
      stdio: 'ignore',
      detached: true,
    });
    const exited = new Promise((resolve) => run.once('exit', resolve));
    let group = 0;
    await waitFor(
      () => {
        const [runDir] = runDirs(dir);
        if (!runDir || !existsSync(join(dir, runDir, 'manifest.json'))) return false;
        group = readManifest(dir, runDir).run.children?.[0] ?? 0;
        // the builder's own command runs only after bubblewrap has asked for its death signal
        return group > 0 && groupCommands(group).includes('sleep');
      },
      20_000,
      'the builder to start',
    );
    run.kill('SIGKILL');
    await exited;
    await waitFor(() => !groupAlive(group), 5_000, 'the sandboxed builder to die with the run');
  });
});

describe('choosing the sandbox', () => {
  /** A PATH whose bwrap cannot create namespaces, as on a kernel that forbids them. */
  function brokenBwrapPath(): string {
    const bin = mkdtempSync(join(tmpdir(), 'cxo-no-bwrap-'));
    writeFileSync(
      join(bin, 'bwrap'),
      '#!/bin/sh\necho "bwrap: No permissions to create new namespace" >&2\nexit 1\n',
    );
    chmodSync(join(bin, 'bwrap'), 0o755);
    return `${bin}:${process.env.PATH}`;
  }

  it('sandbox.mode: none runs without one, and the manifest says so', async () => {
    const dir = repo('sandbox:\n  mode: none\n');
    const r = await cxoAsync(dir, runArgs('echo built > built.txt'));
    expect(r.code, r.stderr).toBe(0);
    const manifest = readManifest(dir, runDirs(dir)[0]);
    expect(manifest.steps[1].sandbox).toEqual({
      mode: 'none',
      reason: 'sandbox.mode is none in the configuration',
      network: null,
      limits: null,
      note: null,
    });
  });

  it('where bubblewrap cannot run, the default is none with one warning, recorded in the manifest', async () => {
    const dir = repo('');
    const r = await cxoAsync(dir, runArgs('echo built > built.txt'), { PATH: brokenBwrapPath() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.match(/warning: no sandbox/g)).toHaveLength(1);
    expect(r.stderr).toContain('No permissions to create new namespace');
    const manifest = readManifest(dir, runDirs(dir)[0]);
    expect(manifest.steps[1].sandbox).toMatchObject({
      mode: 'none',
      reason: expect.stringContaining('bwrap cannot create its namespaces here'),
    });
  });

  it('a sandbox key the schema does not know is a diagnostic with file, line and column; nothing runs', async () => {
    const dir = repo('sandbox:\n  mode: docker\n');
    const r = await cxoAsync(dir, runArgs('echo built > built.txt'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/codex\.config\.yaml:9:\d+/);
    expect(r.stderr).toContain('mode: docker');
    expect(runDirs(dir)).toEqual([]);
  });

  it('sandbox.mode: bwrap where bubblewrap cannot run is an error; nothing runs', async () => {
    const dir = repo('sandbox:\n  mode: bwrap\n');
    const r = await cxoAsync(dir, runArgs('echo built > built.txt'), { PATH: brokenBwrapPath() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/sandbox\.mode is bwrap, but bwrap cannot create its namespaces here/);
    expect(runDirs(dir)).toEqual([]);
  });
});
