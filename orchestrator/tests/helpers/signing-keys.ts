import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gitIn } from './temp-repo.js';

/** A real ed25519 key pair made by ssh-keygen in a temp dir of its own (never inside a test repo). */
export interface SigningKey {
  name: string;
  /** Path of the private key, for user.signingkey. */
  key: string;
  /** `ssh-ed25519 AAAA...`. */
  publicKey: string;
}

export function makeKey(name: string): SigningKey {
  const dir = mkdtempSync(join(tmpdir(), 'cxo-key-'));
  const key = join(dir, 'id_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', key]);
  const publicKey = readFileSync(`${key}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
  return { name, key, publicKey };
}

/** `.cxo/allowed_signers` text mapping each key to a principal (its name unless given). */
export function allowedSigners(entries: (SigningKey | [string, SigningKey])[]): string {
  const lines = entries.map((e) => {
    const [principal, k] = Array.isArray(e) ? e : [e.name, e];
    return `${principal} namespaces="git" ${k.publicKey}`;
  });
  return `# name namespaces="git" key\n${lines.join('\n')}\n`;
}

/** Environment that makes git (and so the CLI) sign with `key`: GIT_CONFIG_* outranks the repo's config. */
export function signingEnv(key: SigningKey): NodeJS.ProcessEnv {
  return {
    GIT_CONFIG_COUNT: '2',
    GIT_CONFIG_KEY_0: 'gpg.format',
    GIT_CONFIG_VALUE_0: 'ssh',
    GIT_CONFIG_KEY_1: 'user.signingkey',
    GIT_CONFIG_VALUE_1: key.key,
  };
}

/** Commits everything in the working tree, signed with `key` (or unsigned without one). */
export function commitAll(dir: string, message: string, key?: SigningKey): string {
  gitIn(dir, 'add', '-A');
  const sign = key
    ? ['-c', 'gpg.format=ssh', '-c', `user.signingkey=${key.key}`, 'commit', '-S']
    : ['commit'];
  gitIn(dir, ...sign, '-q', '-m', message);
  return gitIn(dir, 'rev-parse', 'HEAD').trim();
}
