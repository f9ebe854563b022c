import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
export const CLI = join(PROJECT_ROOT, 'dist/bin/cxo.js');

/** A fresh directory with the given files; with `git: true`, a git repository with them committed. */
export function makeRepo(
  files: Record<string, string | Uint8Array>,
  options: { git?: boolean } = {},
): string {
  const dir = mkdtempSync(join(tmpdir(), 'cxo-test-'));
  writeFiles(dir, files);
  if (options.git) {
    gitIn(dir, 'init', '-q', '-b', 'main');
    gitIn(dir, 'config', 'user.name', 'Test Person');
    gitIn(dir, 'config', 'user.email', 'test@example.com');
    gitIn(dir, 'config', 'commit.gpgsign', 'false');
    gitIn(dir, 'add', '-A');
    gitIn(dir, 'commit', '-q', '--allow-empty', '-m', 'initial');
  }
  return dir;
}

export function writeFiles(dir: string, files: Record<string, string | Uint8Array>): void {
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), content);
  }
}

/** Every file's bytes and mtime (outside .git), to prove a failing command wrote nothing. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.name === '.git') continue;
      if (e.isDirectory()) walk(p);
      else out[p] = `${statSync(join(dir, p)).mtimeMs}:${readFileSync(join(dir, p)).toString('base64')}`;
    }
  };
  walk('');
  return out;
}

export function read(dir: string, file: string): string {
  return readFileSync(join(dir, file), 'utf8');
}

export function gitIn(dir: string, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a real child process. */
export function cxo(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A task index file with the given tasks, formatted as JSON.stringify(…, 2) does. */
export function indexJson(tasks: unknown[]): string {
  return `${JSON.stringify({ version: 1, tasks }, null, 2)}\n`;
}

export function specText(fields: Record<string, unknown>, body = '\n# Spec\n\nBody.\n'): string {
  const lines = Object.entries(fields).map(
    ([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`,
  );
  return `---\n${lines.join('\n')}\n---\n${body}`;
}

export const VALID_SPEC = {
  id: 'spec-a',
  title: 'Spec A',
  status: 'draft',
  owners: ['ada'],
  risk: 'low',
  last_review: '2026-11-01',
};
