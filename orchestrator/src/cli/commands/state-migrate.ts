import { migrateToStateRef } from '../../state/migrate-to-ref.js';
import type { CommandHandler } from '../command-table.js';
import { openGitRepo } from '../open-repo.js';
import { pushIfAsked } from '../push-after.js';

/** `cxo state migrate`: an inline repository's statuses, claims and evidence to the state ref. */
const stateMigrate: CommandHandler = async ({ cwd, options, out }) => {
  const { root, config } = await openGitRepo(cwd);
  const dryRun = Boolean(options['dry-run']);
  const report = await migrateToStateRef({ root, config, dryRun });
  if (options.json) {
    out.json(report);
    return 0;
  }
  const would = dryRun ? 'would copy' : 'copied';
  out.line(
    `${would} ${report.statuses} status(es), ${report.runs} run(s) and ${report.claims} claim(s) to the state ref` +
      (report.kept ? ` (${report.kept} status(es) it had already kept)` : ''),
  );
  if (report.stateCommit) out.line(`  state commit ${report.stateCommit.slice(0, 12)}`);
  if (report.configChanged || report.untracked || report.commit)
    out.line(
      `${dryRun ? 'would commit' : 'committed'} gitops.state: ref${report.untracked ? `, .runs/ untracked (${report.untracked} file(s), kept on disk)` : ''}${report.commit ? ` as ${report.commit.slice(0, 12)}` : ''}`,
    );
  else out.line('the config says gitops.state: ref already');
  if (dryRun) return 0;
  return (await pushIfAsked(root, config, options, out, Boolean(report.commit))) ? 0 : 1;
};
export default stateMigrate;
