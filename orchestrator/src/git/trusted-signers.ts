import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALLOWED_SIGNERS_FILE, type AllowedSigner, parseAllowedSigners } from '../repo/allowed-signers.js';
import { git } from './git.js';

/** The allowed signers the checks trust, copied out of a commit so the checked head cannot add its own. */
export interface TrustedSigners {
  /** The commit the file was read from, and how it was chosen. */
  commit?: string;
  from: 'base' | 'HEAD';
  /** False when that commit has no `.cxo/allowed_signers`. */
  present: boolean;
  signers: AllowedSigner[];
  /** A temporary copy, for `gpg.ssh.allowedSignersFile`. */
  file: string;
  dispose(): void;
}

/**
 * Reads `.cxo/allowed_signers` from `base` (a pull request's base: the head under review may
 * change the file, so it is never read from there), or from HEAD when no base is given.
 */
export function readTrustedSigners(root: string, base?: string): TrustedSigners {
  const rev = base ?? 'HEAD';
  const resolved = git(root, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], { allowFail: true });
  const commit = resolved.status === 0 ? resolved.stdout.trim() : undefined;
  const shown = commit
    ? git(root, ['cat-file', 'blob', `${commit}:${ALLOWED_SIGNERS_FILE}`], { allowFail: true })
    : undefined;
  const present = shown?.status === 0;
  const text = present ? shown!.stdout : '';
  const dir = mkdtempSync(join(tmpdir(), 'cxo-signers-'));
  const file = join(dir, 'allowed_signers');
  writeFileSync(file, text);
  return {
    ...(commit ? { commit } : {}),
    from: base ? 'base' : 'HEAD',
    present,
    signers: parseAllowedSigners(text),
    file,
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
