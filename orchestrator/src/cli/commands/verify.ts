import { NotFoundError } from '../../errors.js';
import { readTrustedSigners } from '../../git/trusted-signers.js';
import { createRunRedactor } from '../../runs/run-redactor.js';
import { findRunDir, type RunVerification, verifyAll, verifyRun } from '../../runs/verify-run.js';
import type { CommandHandler } from '../command-table.js';
import { openRepo } from '../open-repo.js';
import { syncStateRuns } from '../../state/state-runs.js';

/** `cxo verify [RUN]`: re-hash a run's evidence and compare its branch with the reviewed diff. */
const verify: CommandHandler = async ({ cwd, args, options, out }) => {
  const { root, config } = await openRepo(cwd);
  syncStateRuns(root, config);
  const redactor = createRunRedactor(config, process.env);
  let runs: RunVerification[];
  // approval sign-offs count when signed by a key the committed .cxo/allowed_signers lists
  const signers = readTrustedSigners(root);
  try {
    const options = { redactor, signOffs: { config, signers } };
    if (args.run) {
      const dir = findRunDir(root, args.run);
      if (!dir)
        throw new NotFoundError(`no run "${args.run}" under .runs/`, 'list runs with `cxo runs list`');
      runs = [verifyRun(root, dir, options)];
    } else runs = verifyAll(root, options);
  } finally {
    signers.dispose();
  }
  const bad = runs.filter((r) => r.mismatches.length > 0);

  if (options.json) {
    out.json({
      ok: bad.length === 0,
      runs: runs.map((r) => ({
        run: r.runId,
        task: r.taskId,
        dir: r.dir,
        status: r.status,
        ok: r.mismatches.length === 0,
        artifacts: r.artifacts,
        pruned: r.pruned,
        branchChecked: r.branchChecked,
        mismatches: r.mismatches,
        notes: r.notes,
      })),
    });
    return bad.length ? 1 : 0;
  }
  if (runs.length === 0) {
    out.line('no runs to verify');
    return 0;
  }
  for (const r of runs) {
    const what = [
      `${r.artifacts} artifact(s)`,
      ...(r.pruned.length ? [`${r.pruned.length} pruned`] : []),
      'manifest schema',
      ...(r.branchChecked ? ['branch diff'] : []),
    ].join(', ');
    const head = `${out.bold(r.runId)} (${r.taskId}, ${r.status ?? 'unreadable'})`;
    if (r.mismatches.length === 0) out.line(`${head}: ok (${what})`);
    else out.line(`${head}: ${r.mismatches.length} mismatch(es)`);
    for (const m of r.mismatches) out.line(`  ${m.message}`);
    for (const path of r.pruned) out.line(`  ${path}: pruned (cxo runs gc kept its hash, not its bytes)`);
    for (const note of r.notes) out.line(out.dim(`  note: ${note}`));
  }
  out.line(
    bad.length === 0
      ? `${runs.length} run(s) verified, no mismatch`
      : `${bad.length} of ${runs.length} run(s) have mismatches`,
  );
  return bad.length ? 1 : 0;
};
export default verify;
