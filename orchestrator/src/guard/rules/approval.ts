import type { Config } from '../../repo/config.js';
import type { SpecDoc } from '../../repo/markdown-docs.js';
import type { SignatureProof } from '../../repo/signature-proof.js';
import type { Task } from '../../repo/task-types.js';
import { describeMissing } from '../dispatch-gate.js';
import { type ApprovalCheck, approvalsOf } from '../spec-health.js';
import { isActive } from '../task-activity.js';
import { type Violation, violation } from '../types.js';

/**
 * Rule `approval`: every approved spec, and every spec governing a requested, queued or running
 * task, carries the approvals its risk requires for its current content. With `proofs` (by spec
 * file, by approval index), approvals under `require_signature` count only when git verified the
 * commit that wrote them; each one that does not count is reported where it stands.
 */
export function approvalRule(
  specs: Map<string, SpecDoc>,
  tasks: readonly Task[],
  config: Config,
  proofs?: Map<string, readonly SignatureProof[]>,
): Violation[] {
  const activeBySpec = new Map<string, string[]>();
  for (const task of tasks) {
    if (task.spec && isActive(task))
      activeBySpec.set(task.spec, [...(activeBySpec.get(task.spec) ?? []), task.id]);
  }
  const found: Violation[] = [];
  for (const [file, spec] of specs) {
    const active = activeBySpec.get(file) ?? [];
    if (spec.fields.status !== 'approved' && active.length === 0) continue;
    const id = spec.fields.id;
    const approve = `after reading it, run \`cxo spec approve ${id}\``;
    if (spec.fields.status !== 'approved') {
      found.push(
        violation(
          'approval',
          spec.doc.locate(
            ['status'],
            'error',
            'approval',
            `spec "${id}" is ${spec.fields.status}, but task ${active.join(', ')} is requested`,
            approve,
          ),
          { spec: id, task: active[0] },
        ),
      );
      continue;
    }
    const check = approvalsOf(spec, config, proofs ? (proofs.get(file) ?? []) : undefined);
    for (const u of check.unverified) found.push(unverifiedApproval(spec, check, u));
    if (!check.ok) {
      const where = spec.fields.approvals ? ['approvals'] : ['status'];
      found.push(
        violation(
          'approval',
          spec.doc.locate(where, 'error', 'approval', `spec "${id}" ${describeMissing(check)}`, approve),
          { spec: id },
        ),
      );
    } else if (check.stale.length > 0) {
      const i = (spec.fields.approvals ?? []).indexOf(check.stale[0]);
      found.push(
        violation(
          'approval',
          spec.doc.locate(
            ['approvals', i, 'digest'],
            'warning',
            'approval',
            `approval by ${check.stale.map((a) => a.by).join(', ')} signed an older version of spec "${id}"; it no longer counts`,
          ),
          { spec: id },
        ),
      );
    }
  }
  return found;
}

/** Why an approval git cannot vouch for does not count: an error while the spec lacks approvals. */
function unverifiedApproval(
  spec: SpecDoc,
  check: ApprovalCheck,
  u: ApprovalCheck['unverified'][number],
): Violation {
  const { by } = u.approval;
  const proof = u.proof ?? { state: 'uncommitted' };
  const at = (c: string) => c.slice(0, 12);
  const sign = `sign it: set user.signingkey (gpg.format ssh) to ${by}'s key and run \`cxo spec approve ${spec.fields.id} --commit\``;
  const [code, message, hint] = ((): [string, string, string] => {
    switch (proof.state) {
      case 'no-signers':
        return [
          'no-allowed-signers',
          `approval by ${by} cannot be verified: there is no .cxo/allowed_signers to check signatures against`,
          'commit .cxo/allowed_signers (one `name namespaces="git" ssh-ed25519 KEY` line per approver) to the base branch first; see docs/guard.md "Signed approvals"',
        ];
      case 'uncommitted':
        return [
          'uncommitted-approval',
          `approval by ${by} is not committed: no signed commit vouches for it`,
          sign,
        ];
      case 'unsigned':
        return [
          'unsigned-approval',
          `approval by ${by} was added by commit ${at(proof.commit)}, which is not signed`,
          sign,
        ];
      case 'unknown-key':
        return [
          'unknown-signing-key',
          `approval by ${by} was added by commit ${at(proof.commit)}, signed by key ${proof.key}, which .cxo/allowed_signers does not list`,
          `add ${by}'s key to .cxo/allowed_signers on the base branch, or sign with the listed key`,
        ];
      case 'bad-signature':
        return [
          'bad-signature',
          `approval by ${by} was added by commit ${at(proof.commit)}, whose signature does not verify (git: ${proof.status})`,
          sign,
        ];
      case 'mismatch':
        return [
          'signer-mismatch',
          `approval names ${by}, but commit ${at(proof.commit)} that added it is signed by ${proof.principal}`,
          `only ${by} can approve as ${by}`,
        ];
      case 'rewritten':
        return [
          'rewritten-approval',
          `approval by ${by} was changed after ${by}'s signed commit ${at(proof.commit)}`,
          sign,
        ];
      case 'verified':
        return ['approval', `approval by ${by} is verified`, ''];
    }
  })();
  return violation(
    'approval',
    spec.doc.locate(
      ['approvals', u.index, 'by'],
      check.ok ? 'warning' : 'error',
      code,
      message,
      hint || undefined,
    ),
    { spec: spec.fields.id },
  );
}
