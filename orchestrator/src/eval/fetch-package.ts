/**
 * A published npm package as a scenario's repository: `npm pack name@version` into a cache
 * directory (reused when its integrity still matches what npm reported), extracted with the
 * system tar without the tarball's top directory (`package/`).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess } from '../runs/process-runner.js';
import { createRedactor } from '../runs/redaction.js';

/** npm's JSON report and error lines are short; more is not read. */
const MAX_OUTPUT_BYTES = 1024 * 1024;

export class FetchError extends Error {
  override name = 'FetchError';
}

interface PackRecord {
  spec: string;
  filename: string;
  integrity: string;
  shasum: string;
}

/** `$CXO_EVAL_PACKAGES_DIR`, else `${XDG_CACHE_HOME:-~/.cache}/codex-orchestrator/eval-packages`. */
export function packageCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return (
    env.CXO_EVAL_PACKAGES_DIR ||
    join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'codex-orchestrator', 'eval-packages')
  );
}

/** The tarball of `spec` (name@version) in the cache, fetched when missing or damaged. */
export async function fetchPackage(
  spec: string,
  options: { cacheDir?: string; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<{ tarball: string; integrity: string; cached: boolean }> {
  const cacheDir = options.cacheDir ?? packageCacheDir();
  mkdirSync(cacheDir, { recursive: true });
  const recordFile = join(cacheDir, `${spec.replace(/^@/, '').replace(/[/@]/g, '-')}.json`);
  if (existsSync(recordFile)) {
    try {
      const record = JSON.parse(readFileSync(recordFile, 'utf8')) as PackRecord;
      const tarball = join(cacheDir, record.filename);
      if (existsSync(tarball) && matches(readFileSync(tarball), record))
        return { tarball, integrity: record.integrity, cached: true };
    } catch {
      // a damaged record: fetch again
    }
  }
  const staging = mkdtempSync(join(cacheDir, '.pack-'));
  try {
    const { code, stdout, stderr, timedOut } = await run(
      'npm',
      ['pack', spec, '--json', '--pack-destination', staging, '--ignore-scripts', '--no-audit', '--no-fund'],
      staging,
      options,
    );
    if (timedOut) throw new FetchError(`npm pack ${spec} timed out`);
    if (code !== 0) throw new FetchError(`npm pack ${spec} failed: ${npmReason(stderr)}`);
    let info: { filename?: string; integrity?: string; shasum?: string }[];
    try {
      info = JSON.parse(stdout.slice(stdout.indexOf('['))) as typeof info;
    } catch {
      throw new FetchError(`npm pack ${spec} printed no JSON report`);
    }
    const entry = info[0];
    if (!entry?.filename || !entry.integrity || !entry.shasum)
      throw new FetchError(`npm pack ${spec} did not report the tarball's integrity`);
    const record: PackRecord = {
      spec,
      filename: entry.filename,
      integrity: entry.integrity,
      shasum: entry.shasum,
    };
    const fetched = join(staging, entry.filename);
    if (!existsSync(fetched) || !matches(readFileSync(fetched), record))
      throw new FetchError(`the tarball of ${spec} does not match the integrity npm reported`);
    renameSync(fetched, join(cacheDir, entry.filename));
    writeFileSync(`${recordFile}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
    renameSync(`${recordFile}.tmp`, recordFile);
    return { tarball: join(cacheDir, entry.filename), integrity: record.integrity, cached: false };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Unpacks a tarball into `dir` (created), dropping its top directory. */
export async function extractPackage(tarball: string, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const { code, stderr } = await run('tar', ['-xzf', tarball, '-C', dir, '--strip-components=1'], dir, {});
  if (code !== 0) throw new FetchError(`tar could not extract ${tarball}: ${stderr.trim()}`);
}

function matches(bytes: Buffer, record: PackRecord): boolean {
  const [algorithm, digest] = record.integrity.split('-', 2);
  if (algorithm !== 'sha512' && algorithm !== 'sha384' && algorithm !== 'sha256') return false;
  const ok = createHash(algorithm).update(bytes).digest('base64') === digest;
  return ok && createHash('sha1').update(bytes).digest('hex') === record.shasum;
}

/** npm's own error lines (`npm error ...`), without its log-file footer. */
function npmReason(stderr: string): string {
  const lines = stderr
    .split('\n')
    .filter((l) => /^npm (error|ERR!)/.test(l) && !/complete log/i.test(l))
    .map((l) => l.replace(/^npm (error|ERR!)\s*/, '').trim())
    .filter((l) => l && !/^code\s/.test(l));
  // the first line says what happened; npm's advice after it is generic
  return (lines[0] || stderr.trim().split('\n').pop() || 'no output').slice(0, 500);
}

/** A command in its own process group (the project's process runner), its output read back. */
async function run(
  command: string,
  args: string[],
  cwd: string,
  options: { timeoutMs?: number; signal?: AbortSignal },
): Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean }> {
  const logs = mkdtempSync(join(tmpdir(), 'cxo-eval-fetch-'));
  try {
    const r = await runProcess({
      command: [command, ...args],
      cwd,
      env: process.env,
      graceMs: 1000,
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      outputDir: logs,
      name: command,
      maxLogBytes: MAX_OUTPUT_BYTES,
      redactor: createRedactor({ env: process.env, patterns: [] }),
    });
    const read = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : '');
    const notStarted = r.pid === 0 && r.error ? r.error : '';
    return {
      code: r.exitCode,
      stdout: read(r.stdout.path),
      stderr: read(r.stderr.path) + notStarted,
      timedOut: r.timedOut,
    };
  } finally {
    rmSync(logs, { recursive: true, force: true });
  }
}
