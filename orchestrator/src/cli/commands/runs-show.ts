import { NotFoundError } from '../../errors.js';
import type { RunEntry } from '../../runs/run-index.js';
import { findRun } from '../../runs/run-index.js';
import type { CommandHandler } from '../command-table.js';
import { openRepo } from '../open-repo.js';
import type { Output } from '../output.js';
import { escapeTerminal } from '../../util/terminal-text.js';
import { syncStateRuns } from '../../state/state-runs.js';
import { readPruned } from '../../runs/pruned-record.js';

const runsShow: CommandHandler = async ({ cwd, args, options, out }) => {
  const { root, config } = await openRepo(cwd);
  syncStateRuns(root, config);
  const entry = findRun(root, args.run!);
  if (!entry) throw new NotFoundError(`no run "${args.run}" under .runs/`, 'list runs with `cxo runs list`');
  if (options.json)
    out.json({
      ...entry.manifest,
      stalled: entry.stalled,
      dir: entry.dir,
      pruned: prunedPaths(root, entry.dir),
    });
  else printRun(out, entry, prunedPaths(root, entry.dir));
  return 0;
};
export default runsShow;

/** A run as a person reads it: result, steps, the commands the orchestrator ran, the diff. */
export function printRun(out: Output, { manifest: m, dir, stalled }: RunEntry, pruned: string[] = []): void {
  out.line(`${out.bold(m.run.id)}  task ${m.task.id}: ${escapeTerminal(m.task.title)}`);
  out.line(
    `  result:   ${stalled ? 'stalled (its process is gone: `cxo resume`)' : m.result.status}${m.result.reason ? ` (${m.result.reason})` : ''}`,
  );
  if (m.result.error) out.line(`  error:    ${escapeTerminal(m.result.error.message)}`);
  out.line(
    `  branch:   ${m.run.branch} from ${m.trigger.baseCommit.slice(0, 12)}${m.run.forced ? `, forced: ${m.run.forced}` : ''}`,
  );
  out.line('  steps:');
  for (const s of m.steps) {
    const time = s.durationMs !== null ? ` ${s.durationMs} ms` : '';
    out.line(
      `    ${s.role.padEnd(9)} ${s.status.padEnd(9)} ${s.adapter}${time}${s.summary ? `: ${escapeTerminal(s.summary)}` : ''}`,
    );
  }
  if (m.commands.length) {
    out.line('  commands (run and observed by the orchestrator):');
    for (const c of m.commands)
      out.line(
        `    $ ${c.command}  -> exit ${c.exitCode ?? c.signal}${c.timedOut ? ' (timed out)' : ''} in ${c.durationMs} ms`,
      );
  }
  if (m.diff)
    out.line(
      `  diff:     ${m.diff.files.length} file(s), +${m.diff.insertions} -${m.diff.deletions} (${m.diff.artifact})`,
    );
  if (m.review)
    out.line(
      `  review:   score ${m.review.score}, ${m.review.findings} finding(s)${m.review.secretLeak ? ', SECRET LEAK' : ''}`,
    );
  const compressed = m.artifacts.filter((a) => a.encoding === 'gzip').length;
  const stored = [
    `${m.artifacts.length} hashed artifact(s)`,
    ...(compressed ? [`${compressed} stored compressed`] : []),
    ...(pruned.length ? [`${pruned.length} pruned by cxo runs gc`] : []),
    `${m.redactions} redaction(s)`,
  ];
  out.line(`  evidence: ${dir}/manifest.json (${stored.join(', ')})`);
}

/** The artifacts gc pruned; an invalid pruned.json prunes nothing here (`cxo verify` reports it). */
function prunedPaths(root: string, dir: string): string[] {
  try {
    return readPruned(root, dir).pruned.map((p) => p.path);
  } catch {
    return [];
  }
}
