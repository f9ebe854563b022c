import { CxoError } from '../errors.js';
import { pushWithLease } from '../git/push.js';
import type { Config } from '../repo/config.js';
import { usesStateRef } from '../state/state-layout.js';
import type { Output } from './output.js';

/**
 * `--push` (or `gitops.push: true`) after a command that committed on the branch: shares it. A failed
 * push does not undo what was committed locally; it is reported, and `cxo push` retries it.
 */
export async function pushIfAsked(
  root: string,
  config: Config,
  options: Record<string, unknown>,
  out: Output,
  committedOnBranch = !usesStateRef(config),
): Promise<boolean> {
  if (!options.push && !config.gitops.push) return true;
  // in ref mode the state ref is pushed by its own updates; the branch has nothing of ours to share
  if (!committedOnBranch) return true;
  try {
    const result = await pushWithLease({
      root,
      remote: config.gitops.remote,
      indexFile: config.files.tasks,
      attempts: config.gitops.push_attempts,
    });
    if (!options.json) out.line(pushLine(result, config.gitops.remote));
    return true;
  } catch (e) {
    if (!(e instanceof CxoError)) throw e;
    out.error(`${e.message}\n  the commits are kept locally; retry with \`cxo push\``);
    return false;
  }
}

export function pushLine(result: Awaited<ReturnType<typeof pushWithLease>>, remote: string): string {
  if (result.upToDate) return `${remote}/${result.branch} is up to date (${result.commit.slice(0, 12)})`;
  const rebased = result.rebases ? `, rebased onto others' commits ${result.rebases}×` : '';
  return `pushed ${result.branch} to ${remote} (${result.commit.slice(0, 12)}${rebased})`;
}
