import { join } from 'node:path';
import { personName } from '../../git/person.js';
import { InvalidRepoError, UsageError } from '../../errors.js';
import { commitFiles } from '../../git/git.js';
import { signerName, signingConfig, signingIdentity } from '../../git/signing-identity.js';
import { readTrustedSigners } from '../../git/trusted-signers.js';
import { type ApprovalCheck, approvalsOf } from '../../guard/spec-health.js';
import { writeFileAtomic } from '../../repo/atomic-write.js';
import { sortDiagnostics } from '../../repo/diagnostics.js';
import { setFrontMatterFields } from '../../repo/front-matter.js';
import { parseSpec } from '../../repo/markdown-docs.js';
import { encodeSource } from '../../repo/source-text.js';
import { specDigest } from '../../repo/spec-digest.js';
import type { Approval, SpecFields } from '../../repo/spec-types.js';
import type { CommandHandler } from '../command-table.js';
import { dateOption, findSpec } from '../find-spec.js';
import { openRepo } from '../open-repo.js';

/**
 * Records `{by, role?, at, digest}` in `approvals` (one approval per person: a second one
 * replaces the first), and sets `status: approved` once the risk's requirements are met.
 * Only the `approvals` (and `status`) fields are rewritten; everything else stays byte for byte.
 */
const specApprove: CommandHandler = async ({ cwd, args, options, out }) => {
  const at = dateOption(options.now);
  const role = options.role as string | undefined;
  if (role !== undefined && role.trim() === '') throw new UsageError('--role must not be empty');
  const { root, config } = await openRepo(cwd);
  // an invalid spec is refused here (InvalidRepoError, exit 2) with its diagnostics
  const spec = findSpec(root, config, args.id!);
  // who approves is whom the signing key speaks for (allowed signers as committed), not what --by says
  const signers = readTrustedSigners(root);
  signers.dispose();
  const identity = signingIdentity(root, signers);
  const by = signerName(identity, options.by as string | undefined, personName(root));
  if (!by) throw new UsageError('cannot tell who approves', 'pass --by NAME, or set `git config user.name`');
  const signed = Boolean(identity?.principal && options.commit);
  const rule = config.approvals[spec.fields.risk];
  const warnings: string[] = [];
  if (!signed) {
    const why = !identity
      ? 'git has no SSH signing key (user.signingkey, gpg.format ssh)'
      : !identity.principal
        ? 'your signing key is not in .cxo/allowed_signers at HEAD'
        : 'it is not committed (--commit signs the commit)';
    warnings.push(
      `the approval is not signed: ${why}; it will not count where approvals.${spec.fields.risk}.require_signature is on${rule.require_signature ? ' (as it is here)' : ''}`,
    );
  }

  const { fields } = spec;
  const body = spec.doc.body;
  const approval: Approval = {
    by,
    ...(role !== undefined ? { role: role.trim() } : {}),
    at,
    digest: specDigest(fields, body),
  };
  const before = fields.approvals ?? [];
  const replaced = before.find((a) => a.by === by);
  const approvals: Approval[] = [];
  for (const a of before) {
    if (a.by !== by) approvals.push(a);
    else if (a === replaced) approvals.push(approval);
  }
  if (!replaced) approvals.push(approval);

  const next: SpecFields = { ...fields, approvals };
  const check = approvalsOf({ fields: next, doc: { body } }, config);
  const promote = check.ok && (fields.status === 'draft' || fields.status === 'in-review');
  const status = promote ? 'approved' : fields.status;
  const sameApproval = replaced !== undefined && JSON.stringify(replaced) === JSON.stringify(approval);
  const changed = !sameApproval || before.filter((a) => a.by === by).length > 1 || promote;

  let commit: string | undefined;
  if (changed) {
    const text = setFrontMatterFields(spec.doc, promote ? { status, approvals } : { approvals });
    const reparsed = parseSpec({ ...spec.doc.source, text });
    if (!reparsed.spec)
      throw new InvalidRepoError(
        `the approved ${spec.file} would not be valid`,
        sortDiagnostics(reparsed.diagnostics),
      );
    writeFileAtomic(join(root, spec.file), encodeSource(spec.doc.source, text));
    if (options.commit)
      commit = commitFiles(
        root,
        [spec.file],
        `cxo(spec ${fields.id}): approve\n\nSpec-Id: ${fields.id}`,
        signed ? signingConfig(identity!) : undefined,
      );
  }

  const missing = missingOf(check, fields, approval);
  if (options.json) {
    out.json({
      id: fields.id,
      file: spec.file,
      approval,
      replaced: replaced ?? null,
      changed,
      status,
      statusChanged: promote,
      requirements: {
        ok: check.ok,
        risk: fields.risk,
        rule: check.rule,
        valid: check.valid.map((a) => a.by),
        byOwners: check.byOwners.map((a) => a.by),
        stale: check.stale.map((a) => a.by),
        missingCount: check.missingCount,
        missingRoles: check.missingRoles,
      },
      missing,
      commit: commit ?? null,
      signed: signed && commit !== undefined,
      warnings,
    });
    return 0;
  }
  const who = `${by}${approval.role ? ` (${approval.role})` : ''}`;
  const lines = [
    !changed
      ? `${fields.id}: ${by} already approved this version on ${at}; nothing changed`
      : `approved ${out.bold(fields.id)} as ${who} (${spec.file})${replaced ? `, replacing ${by}'s approval of ${replaced.at}` : ''}${commit ? ` (commit ${commit.slice(0, 12)})` : ''}`,
  ];
  if (promote) lines.push(`status: ${fields.status} -> approved`);
  else if (check.ok)
    lines.push(`the approvals ${fields.risk} risk requires are present; status stays ${status}`);
  else lines.push(`status stays ${status}; still missing: ${missing.join('; ')}`);
  if (check.stale.length > 0) {
    lines.push(
      `${check.stale.length} approval${check.stale.length === 1 ? '' : 's'} (${check.stale.map((a) => a.by).join(', ')}) ${check.stale.length === 1 ? 'is' : 'are'} for an earlier version and no longer count${check.stale.length === 1 ? 's' : ''}`,
    );
  }
  out.line(lines.join('\n'));
  for (const warning of warnings) out.error(`warning: ${warning}`);
  return 0;
};
export default specApprove;

/** What the spec still needs before its risk's approval rule is met, in words. */
function missingOf(check: ApprovalCheck, fields: SpecFields, approval: Approval): string[] {
  const missing: string[] = [];
  if (check.byOwners.some((a) => a.by === approval.by))
    missing.push(`approvals by owners do not count for ${fields.risk} risk`);
  if (check.missingCount > 0) {
    missing.push(
      `${check.missingCount} more approval${check.missingCount === 1 ? '' : 's'} needed (${fields.risk} risk needs ${check.rule.count}${check.rule.distinct_from_owners ? ' from non-owners' : ''})`,
    );
  }
  for (const role of check.missingRoles) missing.push(`needs role ${role}`);
  return check.ok ? [] : missing;
}
