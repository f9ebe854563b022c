import { fetchRefspec, pushRefspec } from '../git/refs.js';
import type { Config } from '../repo/config.js';
import { usesStateRef } from './state-layout.js';
import { StateRef } from './state-ref.js';

/**
 * In ref mode with the state shared, pushes a run's branch to the remote with its evidence, so a
 * reviewer in another clone can verify the reviewed diff against it (`cxo verify` looks for the
 * branch under `refs/remotes/` when this clone has none). Fast-forward only: a run branch someone
 * moved on the remote is theirs. Returns why the push failed; undefined when pushed or not needed.
 */
export async function shareRunBranch(
  root: string,
  config: Config,
  branch: string,
): Promise<string | undefined> {
  if (!usesStateRef(config)) return undefined;
  const { remote } = StateRef.open(root, config);
  if (!remote) return undefined;
  const ref = `refs/heads/${branch}`;
  return pushRefspec(root, remote, `${ref}:${ref}`);
}

/**
 * The other side of shareRunBranch: fetches every run branch of the shared remote into
 * `refs/remotes/<remote>/codex/...` (one fetch), so that a run made in another clone can be
 * verified and reviewed here. Returns why the fetch failed; undefined when fetched or not shared.
 */
export async function fetchRunBranches(root: string, config: Config): Promise<string | undefined> {
  if (!usesStateRef(config)) return undefined;
  const { remote } = StateRef.open(root, config);
  if (!remote) return undefined;
  return fetchRefspec(root, remote, `+refs/heads/codex/*:refs/remotes/${remote}/codex/*`);
}
