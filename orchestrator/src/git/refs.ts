import { git, gitAsync } from './git.js';

/** The object id `rev` names (`<ref>^{commit}` to insist on a commit), or undefined. */
export function resolveRev(root: string, rev: string): string | undefined {
  const r = git(root, ['rev-parse', '--verify', '--quiet', rev], { allowFail: true });
  const id = r.stdout.trim();
  return r.status === 0 && id ? id : undefined;
}

/**
 * One `git push` of one refspec (`+src:dst` forces) without the repository's hooks; undefined
 * when it went through, else git's reason.
 */
export async function pushRefspec(
  root: string,
  remote: string,
  refspec: string,
): Promise<string | undefined> {
  return failure(await gitAsync(root, ['push', '--quiet', '--no-verify', remote, refspec]), 'push');
}

/** One `git fetch` of one refspec, leaving FETCH_HEAD alone; undefined when fetched, else git's reason. */
export async function fetchRefspec(
  root: string,
  remote: string,
  refspec: string,
): Promise<string | undefined> {
  return failure(
    await gitAsync(root, ['fetch', '--quiet', '--no-write-fetch-head', remote, refspec]),
    'fetch',
  );
}

function failure(
  r: { status: number | null; stdout: string; stderr: string },
  verb: string,
): string | undefined {
  return r.status === 0 ? undefined : (r.stderr || r.stdout).trim() || `git ${verb} exited ${r.status}`;
}
