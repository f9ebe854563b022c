import { summarizeState } from '../../state/state-summary.js';
import { escapeTerminal } from '../../util/terminal-text.js';
import type { CommandHandler } from '../command-table.js';
import { openGitRepo } from '../open-repo.js';

/** `cxo state show`: the state ref's tip and what it holds. */
const stateShow: CommandHandler = async ({ cwd, options, out }) => {
  const { root, config } = await openGitRepo(cwd);
  const summary = summarizeState(root, config);
  if (options.json) {
    out.json({ mode: config.gitops.state, ...summary });
    return 0;
  }
  const where = summary.remote ? `shared through ${summary.remote}` : 'kept in this clone';
  out.line(`${out.bold(summary.ref)} (${where}; gitops.state: ${config.gitops.state})`);
  if (!summary.commit) {
    out.line(
      config.gitops.state === 'ref'
        ? '  empty: the first run, request or claim writes it'
        : '  empty: statuses are in the task index (`cxo state migrate` moves them here)',
    );
  } else {
    out.line(
      `  tip:      ${summary.commit.slice(0, 12)} ${summary.updatedAt} ${escapeTerminal(summary.subject ?? '')}`,
    );
    out.line(`  commits:  ${summary.commits}`);
  }
  const phases = Object.entries(summary.statuses.byPhase)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([phase, n]) => `${phase} ${n}`)
    .join(', ');
  out.line(`  statuses: ${summary.statuses.tasks} task(s)${phases ? ` (${phases})` : ''}`);
  out.line(`  claims:   ${summary.claims.total} (${summary.claims.leased} with a live lease)`);
  out.line(`  runs:     ${summary.runs.total} of ${summary.runs.tasks} task(s)`);
  const { spend } = summary;
  const cap =
    spend.capUsd !== undefined ? ` of budget.per_day_usd $${spend.capUsd}` : ' (no budget.per_day_usd)';
  out.line(
    `  spend:    ${spend.day} (UTC): ${spend.runs} run(s), $${usd(spend.spentUsd)} spent, $${usd(spend.reservedUsd)} reserved${cap}`,
  );
  for (const problem of summary.problems) out.line(`  ignored:  ${escapeTerminal(problem)}`);
  return 0;
};
/** Dollars to the hundredth of a cent, without trailing zeros. */
function usd(n: number): string {
  return String(Number(n.toFixed(4)));
}

export default stateShow;
