import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { UsageError } from '../errors.js';
import { principalOfKey } from '../repo/allowed-signers.js';
import { git } from './git.js';
import type { TrustedSigners } from './trusted-signers.js';

/** The SSH key the person signs with (git's user.signingkey, gpg.format ssh), and whom it speaks for. */
export interface SigningIdentity {
  /** user.signingkey as configured: a key file, or `key::<public key>` for an agent's key. */
  key: string;
  publicKey: string;
  /** The name `.cxo/allowed_signers` gives the key; undefined when it does not list it. */
  principal?: string;
}

/** The person's signing identity, or undefined when git is not set up to sign with an SSH key. */
export function signingIdentity(root: string, signers: TrustedSigners): SigningIdentity | undefined {
  const get = (key: string) => git(root, ['config', key], { allowFail: true }).stdout.trim();
  const key = get('user.signingkey');
  if (!key || get('gpg.format') !== 'ssh') return undefined;
  const publicKey = publicKeyOf(root, key);
  const principal = principalOfKey(signers.signers, publicKey);
  return { key, publicKey, ...(principal ? { principal } : {}) };
}

/** `git -c ...` arguments that make a commit command sign with the identity's key (`-S` still needed). */
export function signingConfig(identity: SigningIdentity): string[] {
  return [...SSH_SIGNATURES, '-c', `user.signingkey=${identity.key}`];
}

/** SSH signatures made and checked by ssh-keygen, whatever the repository's config names. */
export const SSH_SIGNATURES: readonly string[] = ['-c', 'gpg.format=ssh', '-c', 'gpg.ssh.program=ssh-keygen'];

/**
 * The name an approval or sign-off is recorded under: the principal of the signing key when it
 * has one (another `--by` is refused: nobody signs for someone else), else `--by` or git's user.
 */
export function signerName(
  identity: SigningIdentity | undefined,
  by: string | undefined,
  fallback: string | undefined,
): string | undefined {
  const asked = by?.trim();
  if (identity?.principal) {
    if (asked && asked !== identity.principal) {
      throw new UsageError(
        `--by ${asked}, but your signing key is ${identity.principal}'s in .cxo/allowed_signers: you can only sign as ${identity.principal}`,
        `drop --by, or ask ${asked} to run it with their own key`,
      );
    }
    return identity.principal;
  }
  return asked || fallback?.trim() || undefined;
}

function publicKeyOf(root: string, key: string): string {
  if (key.startsWith('key::')) return key.slice(5).trim();
  if (/^(ssh-|ecdsa-|sk-)/.test(key)) return key;
  const path = key.startsWith('~/') ? join(homedir(), key.slice(2)) : isAbsolute(key) ? key : join(root, key);
  if (path.endsWith('.pub')) return readFileSync(path, 'utf8').trim();
  if (existsSync(`${path}.pub`)) return readFileSync(`${path}.pub`, 'utf8').trim();
  const derived = spawnSync('ssh-keygen', ['-y', '-f', path], { encoding: 'utf8' });
  if (derived.status !== 0)
    throw new UsageError(
      `cannot read the public key of user.signingkey ${key}: ${derived.stderr.trim()}`,
      'point user.signingkey at the key file (or its .pub)',
    );
  return derived.stdout.trim();
}
