import { type SignedEntry, proveEntries } from '../git/entry-signatures.js';
import type { TrustedSigners } from '../git/trusted-signers.js';
import { approvalRuleOf } from '../guard/spec-health.js';
import type { Config } from '../repo/config.js';
import { parseSpec, type SpecDoc } from '../repo/markdown-docs.js';
import type { SignatureProof } from '../repo/signature-proof.js';
import type { Approval } from '../repo/spec-types.js';

/**
 * What git says about each approval of the specs whose risk has `require_signature`: the proofs
 * the guard's approval rule counts (by spec file, by approval index).
 */
export function proveSpecApprovals(
  root: string,
  specs: Iterable<SpecDoc>,
  config: Config,
  signers: TrustedSigners,
): Map<string, SignatureProof[]> {
  const files = new Map<string, SignedEntry[]>();
  for (const spec of specs) {
    const approvals = spec.fields.approvals ?? [];
    if (approvals.length === 0 || !approvalRuleOf(spec.fields, config).require_signature) continue;
    files.set(
      spec.file,
      approvals.map((approval, i) => ({
        line: spec.doc.locate(['approvals', i, 'by'], 'error', 'approval', '').line ?? 0,
        signer: approval.by,
        sameIn: (text) => holdsApproval(spec.file, text, approval),
      })),
    );
  }
  return proveEntries(root, signers, files);
}

/** Whether the spec text (as a commit wrote it) has this very approval: same name, role, date and digest. */
function holdsApproval(file: string, text: string, approval: Approval): boolean {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const spec = parseSpec({ file, text, bom: false, eol }).spec;
  const same = (a: Approval) =>
    a.by === approval.by &&
    a.role === approval.role &&
    String(a.at) === String(approval.at) &&
    a.digest === approval.digest;
  return (spec?.fields.approvals ?? []).some(same);
}
