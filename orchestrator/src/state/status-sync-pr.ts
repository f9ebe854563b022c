import { git, gitBytes } from '../git/git.js';
import { fetchRefspec, pushRefspec, resolveRev } from '../git/refs.js';
import { commitTreeAs } from '../git/commit-tree.js';
import { treeWith } from '../git/tree-build.js';
import type { GitHubRepo } from '../github/github-repo.js';
import { openOrUpdatePullRequest, type PullRequestRef } from '../github/pull-request.js';
import { OperationError } from '../errors.js';
import { canonicalJson } from '../repo/canonical-json.js';
import type { Config } from '../repo/config.js';
import { hasErrors } from '../repo/diagnostics.js';
import { decodeSource, encodeSource } from '../repo/source-text.js';
import { parseTaskIndex } from '../repo/task-index.js';
import { setTaskStatus } from '../repo/task-index-edit.js';
import type { TaskStatus } from '../repo/task-types.js';
import { StateRef } from './state-ref.js';
import { readStatuses } from './state-statuses.js';

export interface StatusSyncPr extends PullRequestRef {
  branch: string;
  commit: string;
  /** The tasks whose `done` status the pull request lands on the base branch. */
  tasks: string[];
}

/** The branch the batched pull request comes from: the state ref's name with `-sync`. */
export function syncBranchOf(config: Config): string {
  return `${config.gitops.state_ref}-sync`;
}

/**
 * `gitops.state_sync: pr`, for a base branch people protect: one pull request that lands every
 * `done` status of the state ref that the base branch's task index does not have yet. Its branch
 * is made afresh from the base branch each time (one commit: the status blocks edited in the
 * index's own text, nothing else), force-pushed (the orchestrator owns it), and the pull request
 * opened or updated, so it always shows exactly what is missing, like a release bot's version PR.
 * Returns undefined when nothing is missing.
 */
export async function syncStatusesByPullRequest(
  root: string,
  config: Config,
  gh: GitHubRepo,
): Promise<StatusSyncPr | undefined> {
  const { remote } = config.gitops;
  const base = config.base_branch;
  const file = config.files.tasks.replace(/^\.\//, '');
  // offline, the base branch as last fetched
  await fetchRefspec(root, remote, `+refs/heads/${base}:refs/remotes/${remote}/${base}`);
  const baseCommit =
    resolveRev(root, `refs/remotes/${remote}/${base}^{commit}`) ??
    resolveRev(root, `refs/heads/${base}^{commit}`);
  if (!baseCommit) throw new OperationError(`no branch ${base} here or on ${remote} to sync statuses into`);

  const shown = gitBytes(root, ['cat-file', 'blob', `${baseCommit}:${file}`], { allowFail: true });
  if (shown.status !== 0) throw new OperationError(`${file} is not on ${base}: no statuses to sync`);
  const decoded = decodeSource(file, shown.stdout);
  const parsed = decoded.source ? parseTaskIndex(decoded.source, 'full') : undefined;
  if (!decoded.source || !parsed?.index || hasErrors(parsed.diagnostics))
    throw new OperationError(`${file} on ${base} is not valid: statuses are not synced until it is fixed`);

  const statuses = readStatuses(StateRef.open(root, config).snapshot()).byTask;
  let index = parsed.index;
  let text = decoded.source.text;
  const tasks: string[] = [];
  for (const task of parsed.index.tasks) {
    const status = statuses.get(task.id);
    if (status?.phase !== 'done' || sameStatus(task.status, status)) continue;
    text = setTaskStatus(index, task.id, status);
    index = parseTaskIndex({ ...decoded.source, text }, 'full').index!;
    tasks.push(task.id);
  }
  if (tasks.length === 0) return undefined;

  const blob = git(root, ['hash-object', '-w', '--stdin'], {
    input: encodeSource(decoded.source, text),
  }).stdout.trim();
  const baseTree = git(root, ['rev-parse', `${baseCommit}^{tree}`]).stdout.trim();
  const tree = treeWith(root, baseTree, new Map([[file, { mode: '100644', blob }]]));
  const message = `cxo: ${tasks.length} task status(es) done\n\n${tasks.map((t) => `- ${t}`).join('\n')}\n`;
  const commit = commitTreeAs(root, tree, [baseCommit], message);
  const branch = syncBranchOf(config);
  git(root, ['update-ref', '-m', 'cxo state_sync pr', `refs/heads/${branch}`, commit]);
  const refused = await pushRefspec(root, remote, `+refs/heads/${branch}:refs/heads/${branch}`);
  if (refused) throw new OperationError(`cannot push ${branch} to ${remote}: ${refused}`);
  const pull = await openOrUpdatePullRequest(gh.octokit, {
    owner: gh.owner,
    repo: gh.repo,
    head: branch,
    base,
    title: `cxo: task statuses (${tasks.length} done)`,
    body: [
      `The orchestrator's state ref (\`${config.gitops.state_ref}\`) has these tasks done; this pull request`,
      `lands their status blocks in \`${file}\` on \`${base}\` (\`gitops.state_sync: pr\`). It is`,
      'remade from the base branch at every sign-off, so it always holds exactly what is missing.',
      '',
      ...tasks.map((t) => `- \`${t}\``),
    ].join('\n'),
  });
  return { ...pull, branch, commit, tasks };
}

function sameStatus(a: TaskStatus | undefined, b: TaskStatus): boolean {
  return a !== undefined && canonicalJson(a) === canonicalJson(b);
}
