/**
 * `cxo watch --pull`: bring a server clone up to date between passes. Fetches, then fast-forwards
 * the checked-out branch to its upstream, and only when nothing the person (or a run's write-back)
 * changed in the working tree is among the files the merge would touch. Never merges or rebases:
 * a branch that cannot fast-forward is reported and left alone.
 */
import { gitAsync } from '../git/git.js';

export type PullResult =
  | { kind: 'up-to-date'; branch: string }
  | { kind: 'fast-forwarded'; branch: string; from: string; to: string; files: string[] }
  | { kind: 'skipped'; reason: string };

/** One fetch and, when the branch is behind and the touched files are clean, one `merge --ff-only`. */
export async function pullOnce(root: string, env: NodeJS.ProcessEnv = process.env): Promise<PullResult> {
  const git = async (args: string[]) => {
    const r = await gitAsync(root, args, { env });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const branch = await git(['symbolic-ref', '--quiet', '--short', 'HEAD']);
  if (branch.code !== 0) return { kind: 'skipped', reason: 'HEAD is detached: no branch to fast-forward' };
  const name = branch.stdout.trim();
  const upstream = await git(['rev-parse', '--abbrev-ref', '--symbolic-full-name', '@{upstream}']);
  if (upstream.code !== 0) return { kind: 'skipped', reason: `branch ${name} has no upstream` };
  const fetched = await git(['fetch', '--quiet']);
  if (fetched.code !== 0)
    return { kind: 'skipped', reason: `git fetch failed: ${firstLine(fetched.stderr)}` };
  const head = (await git(['rev-parse', 'HEAD'])).stdout.trim();
  const target = (await git(['rev-parse', '@{upstream}'])).stdout.trim();
  if (!head || !target) return { kind: 'skipped', reason: 'cannot resolve HEAD or its upstream' };
  if (head === target) return { kind: 'up-to-date', branch: name };
  if ((await git(['merge-base', '--is-ancestor', head, target])).code !== 0) {
    // ahead (status commits not pushed yet) or diverged: only a person should merge
    const behind = await git(['merge-base', '--is-ancestor', target, head]);
    return behind.code === 0
      ? { kind: 'up-to-date', branch: name }
      : {
          kind: 'skipped',
          reason: `${name} and ${upstream.stdout.trim()} have diverged: cannot fast-forward`,
        };
  }
  const touched = splitZ((await git(['diff', '--name-only', '-z', head, target])).stdout);
  const dirty = new Set(
    changedPaths((await git(['status', '--porcelain=v1', '-z', '--untracked-files=all'])).stdout),
  );
  const clash = touched.filter((f) => dirty.has(f));
  if (clash.length)
    return {
      kind: 'skipped',
      reason: `uncommitted changes to ${clash.slice(0, 3).join(', ')}${more(clash)}`,
    };
  const merged = await git(['merge', '--ff-only', '--quiet', target]);
  if (merged.code !== 0)
    return {
      kind: 'skipped',
      reason: `git merge --ff-only failed: ${firstLine(merged.stderr || merged.stdout)}`,
    };
  return { kind: 'fast-forwarded', branch: name, from: head, to: target, files: touched };
}

/** Paths in `git status --porcelain=v1 -z`; a rename names both its paths. */
function changedPaths(z: string): string[] {
  const parts = splitZ(z);
  const paths: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const entry = parts[i];
    paths.push(entry.slice(3));
    // renames and copies are followed by their source path
    if ('RC'.includes(entry[0]) || 'RC'.includes(entry[1])) paths.push(parts[++i]);
  }
  return paths;
}

function splitZ(text: string): string[] {
  return text.split('\0').filter(Boolean);
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] || 'no message';
}

function more(list: string[]): string {
  return list.length > 3 ? ` and ${list.length - 3} more` : '';
}
