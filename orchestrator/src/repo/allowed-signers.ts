/**
 * git's allowed-signers file (`.cxo/allowed_signers`, the ALLOWED SIGNERS format of ssh-keygen(1)):
 * `principal[,principal...] [options] keytype base64-key [comment]`, `#` comments and blank lines.
 * The first principal of a line is the name an approval or sign-off must carry.
 */

/** One key line: who the key speaks for, and the key itself (`keytype base64`). */
export interface AllowedSigner {
  principals: string[];
  key: string;
}

/** The repository path of the allowed-signers file the guard trusts (read from the base commit). */
export const ALLOWED_SIGNERS_FILE = '.cxo/allowed_signers';

const KEY_TYPE = /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-\S+|sk-\S+@openssh\.com)$/;

export function parseAllowedSigners(text: string): AllowedSigner[] {
  const signers: AllowedSigner[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const tokens = tokenize(line);
    const at = tokens.findIndex((t, i) => i > 0 && KEY_TYPE.test(t));
    if (at < 0 || tokens[at + 1] === undefined) continue; // ssh-keygen ignores what it cannot read too
    signers.push({ principals: tokens[0].split(','), key: `${tokens[at]} ${tokens[at + 1]}` });
  }
  return signers;
}

/** The first principal of the line holding `publicKey` (`keytype base64 [comment]`), if any. */
export function principalOfKey(signers: readonly AllowedSigner[], publicKey: string): string | undefined {
  const [type, data] = publicKey.trim().split(/\s+/);
  return signers.find((s) => s.key === `${type} ${data}`)?.principals[0];
}

/** Whitespace-separated tokens; a double-quoted run (an option value) stays in its token. */
function tokenize(line: string): string[] {
  return line.match(/(?:[^\s"]+|"[^"]*")+/g) ?? [];
}
