import type { SignatureProof } from '../repo/signature-proof.js';
import { git } from './git.js';
import { readBlobs } from './cat-file.js';
import { SSH_SIGNATURES } from './signing-identity.js';
import type { TrustedSigners } from './trusted-signers.js';

/** An entry in a committed file that a person vouches for by signing the commit that wrote it. */
export interface SignedEntry {
  /** 1-based line, in the working-tree file, of the entry's name field (`by:`): unique per entry. */
  line: number;
  /** The name the entry carries; the signing key must map to it. */
  signer: string;
  /** Whether the file as the signing commit wrote it holds this entry unchanged. */
  sameIn: (text: string) => boolean;
}

const ZERO = /^0+$/;

/**
 * The repository's git config is untrusted: the signature program, the format and the signers
 * file are pinned, and OpenPGP and X.509 signatures are refused (only SSH keys are listed). The git
 * runner already keeps fsmonitor and hooks off.
 */
function pinned(signers: TrustedSigners): string[] {
  return [
    ...SSH_SIGNATURES,
    '-c',
    `gpg.ssh.allowedSignersFile=${signers.file}`,
    '-c',
    'gpg.program=false',
    '-c',
    'gpg.x509.program=false',
  ];
}

/**
 * Proves each entry with three kinds of git process however many entries there are: one
 * `git blame` per file (which commit last wrote each entry's name line), one `git log --no-walk`
 * for every signature, and one `git cat-file --batch` for the files as those commits wrote them.
 */
export function proveEntries(
  root: string,
  signers: TrustedSigners,
  files: Map<string, readonly SignedEntry[]>,
): Map<string, SignatureProof[]> {
  const proofs = new Map<string, SignatureProof[]>();
  if (!signers.present) {
    for (const [file, entries] of files)
      proofs.set(
        file,
        entries.map(() => ({ state: 'no-signers' })),
      );
    return proofs;
  }
  const writers = new Map<string, (string | undefined)[]>();
  for (const [file, entries] of files)
    writers.set(
      file,
      blameLines(
        root,
        file,
        entries.map((e) => e.line),
      ),
    );
  const commits = [...new Set([...writers.values()].flat().filter((c): c is string => c !== undefined))];
  const signatures = signaturesOf(root, signers, commits);
  const wanted = new Set<string>();
  for (const [file, shas] of writers) for (const sha of shas) if (sha) wanted.add(`${sha}:${file}`);
  const texts = catFiles(root, [...wanted]);

  for (const [file, entries] of files) {
    const shas = writers.get(file)!;
    proofs.set(
      file,
      entries.map((entry, i): SignatureProof => {
        const commit = shas[i];
        if (!commit) return { state: 'uncommitted' };
        const sig = signatures.get(commit) ?? { status: 'N', principal: '', key: '' };
        if (sig.status === 'N') return { state: 'unsigned', commit };
        if (sig.status === 'U' || (sig.status === 'G' && !sig.principal))
          return { state: 'unknown-key', commit, key: sig.key };
        if (sig.status !== 'G') return { state: 'bad-signature', commit, status: sig.status };
        if (sig.principal !== entry.signer) return { state: 'mismatch', commit, principal: sig.principal };
        const text = texts.get(`${commit}:${file}`);
        if (text === undefined || !entry.sameIn(text)) return { state: 'rewritten', commit };
        return { state: 'verified', commit, principal: sig.principal };
      }),
    );
  }
  return proofs;
}

/** The commit that last wrote each line of the working-tree file; undefined for an uncommitted line. */
function blameLines(root: string, file: string, lines: readonly number[]): (string | undefined)[] {
  if (lines.length === 0) return [];
  const ranges = [...new Set(lines)].flatMap((n) => ['-L', `${n},${n}`]);
  const blamed = git(root, ['-c', 'core.fsmonitor=false', 'blame', '--porcelain', ...ranges, '--', file], {
    allowFail: true,
  });
  // an untracked file (or a repository without commits): nothing of it is committed
  if (blamed.status !== 0) return lines.map(() => undefined);
  const byLine = new Map<number, string>();
  for (const m of blamed.stdout.matchAll(/^([0-9a-f]{40,64}) \d+ (\d+)(?: \d+)?$/gm)) {
    if (!ZERO.test(m[1])) byLine.set(Number(m[2]), m[1]);
  }
  return lines.map((n) => byLine.get(n));
}

interface Signature {
  /** git's %G?: G good, U good by an unlisted key, N none, B/X/Y/R/E bad or uncheckable. */
  status: string;
  /** The allowed-signers principal the key matched (%GS). */
  principal: string;
  key: string;
}

function signaturesOf(root: string, signers: TrustedSigners, commits: string[]): Map<string, Signature> {
  const out = new Map<string, Signature>();
  if (commits.length === 0) return out;
  const logged = git(root, [
    ...pinned(signers),
    'log',
    '--no-walk=unsorted',
    '--format=%H%x1f%G?%x1f%GS%x1f%GK%x1e',
    ...commits,
    '--',
  ]).stdout;
  for (const record of logged.split('\x1e')) {
    const [sha, status, principal, key] = record.trim().split('\x1f');
    if (sha) out.set(sha, { status: status ?? 'N', principal: principal ?? '', key: key ?? '' });
  }
  return out;
}

/** `commit:path` → the file's text in that commit (a leading BOM dropped). */
function catFiles(root: string, specs: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const [spec, bytes] of readBlobs(root, specs))
    out.set(spec, bytes.toString('utf8').replace(/^\ufeff/, ''));
  return out;
}
