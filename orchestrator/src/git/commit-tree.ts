import { git } from './git.js';
import { ORCHESTRATOR_IDENTITY } from './orchestrator-identity.js';

export interface CommitAs {
  /** The person who acted (a reviewer): the commit's author; the orchestrator stays the committer. */
  author?: { name: string; email: string };
  /** `git -c` arguments that sign the commit with the person's key (git/signing-identity.ts). */
  sign?: string[];
}

/** A commit of `tree` on `parents` made by the orchestrator (signed by the person when asked). */
export function commitTreeAs(
  root: string,
  tree: string,
  parents: readonly string[],
  message: string,
  as: CommitAs = {},
): string {
  const sign = as.sign ? [...as.sign, 'commit-tree', '-S'] : ['-c', 'commit.gpgsign=false', 'commit-tree'];
  const author = as.author ? { GIT_AUTHOR_NAME: as.author.name, GIT_AUTHOR_EMAIL: as.author.email } : {};
  return git(root, [...sign, tree, ...parents.flatMap((p) => ['-p', p]), '-F', '-'], {
    set: { ...ORCHESTRATOR_IDENTITY, ...author },
    input: message,
  }).stdout.trim();
}
