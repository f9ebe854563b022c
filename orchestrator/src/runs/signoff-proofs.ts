import { proveEntries } from '../git/entry-signatures.js';
import type { TrustedSigners } from '../git/trusted-signers.js';
import type { Config } from '../repo/config.js';
import { parseJson } from '../repo/json-document.js';
import { loadSpec } from '../repo/load-repo.js';
import type { SignatureProof } from '../repo/signature-proof.js';
import type { RunManifest, SignOff } from './manifest-types.js';

/** An approval sign-off that does not count, and why. */
export interface UnprovenSignOff {
  signoff: SignOff;
  why: string;
}

/**
 * The approval sign-offs of a run whose spec's risk has `require_signature` that git cannot vouch
 * for: a CLI sign-off counts when the commit that added it to the manifest is signed by the
 * reviewer's key; a GitHub one (its reviewer's login, trusted through the API token) when it
 * names the review it came from.
 */
export function unprovenSignOffs(
  root: string,
  manifestPath: string,
  manifestText: string,
  manifest: RunManifest,
  config: Config,
  signers: TrustedSigners,
): UnprovenSignOff[] {
  const signoffs = manifest.signoffs ?? [];
  const risk = manifest.spec ? loadSpec(root, manifest.spec.path, config).spec?.fields.risk : undefined;
  if (!risk || !config.approvals[risk].require_signature) return [];
  const doc = parseJson(
    { file: manifestPath, text: manifestText, bom: false, eol: '\n' },
    { mode: 'fast' },
  ).doc;
  const cli = signoffs
    .map((signoff, i) => ({ signoff, i }))
    .filter(({ signoff }) => signoff.decision === 'approve' && signoff.source !== 'github');
  const proofs =
    proveEntries(
      root,
      signers,
      new Map([
        [
          manifestPath,
          cli.map(({ signoff, i }) => ({
            line: doc?.diagnosticAt(['signoffs', i, 'by'], 'error', 'signoff', '').line ?? 0,
            signer: signoff.by,
            sameIn: (text: string) => holdsSignOff(text, signoff),
          })),
        ],
      ]),
    ).get(manifestPath) ?? [];
  const unproven: UnprovenSignOff[] = [];
  cli.forEach(({ signoff }, k) => {
    if (proofs[k].state !== 'verified') unproven.push({ signoff, why: whyNot(proofs[k], signoff.by) });
  });
  for (const signoff of signoffs) {
    if (signoff.decision === 'approve' && signoff.source === 'github' && !signoff.url)
      unproven.push({ signoff, why: 'it says it is a GitHub review but names none (no url)' });
  }
  return unproven;
}

function whyNot(proof: SignatureProof, by: string): string {
  const at = 'commit' in proof ? ` ${proof.commit.slice(0, 12)}` : '';
  switch (proof.state) {
    case 'no-signers':
      return 'there is no .cxo/allowed_signers to check its commit against';
    case 'uncommitted':
      return 'it is not committed';
    case 'unsigned':
      return `the commit${at} that added it is not signed`;
    case 'unknown-key':
      return `the commit${at} that added it is signed by key ${proof.key}, which .cxo/allowed_signers does not list`;
    case 'bad-signature':
      return `the signature of commit${at} does not verify (git: ${proof.status})`;
    case 'mismatch':
      return `the commit${at} that added it is signed by ${proof.principal}, not ${by}`;
    case 'rewritten':
      return `it was changed after ${by}'s signed commit${at}`;
    case 'verified':
      return 'it is verified';
  }
}

function holdsSignOff(text: string, signoff: SignOff): boolean {
  try {
    const committed = JSON.parse(text) as RunManifest;
    return (committed.signoffs ?? []).some(
      (s) =>
        s.by === signoff.by &&
        s.at === signoff.at &&
        s.decision === signoff.decision &&
        s.manifestSha256 === signoff.manifestSha256,
    );
  } catch {
    return false;
  }
}
