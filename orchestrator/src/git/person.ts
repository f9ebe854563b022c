import { git } from './git.js';

/** The person running a command: git's user.name, else the login name; undefined when neither is set. */
export function personName(root: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  let name = '';
  try {
    name = git(root, ['config', 'user.name'], { allowFail: true }).stdout.trim();
  } catch {
    // no git on PATH: fall back to the login name
  }
  return name || env.USER?.trim() || env.USERNAME?.trim() || undefined;
}

/** Who acted, for records: the GitHub actor in Actions, else the person, else "unknown". */
export function actorName(root: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.GITHUB_ACTOR || personName(root, env) || 'unknown';
}

/** git's configured user.name and user.email, for the author of a commit made for the person. */
export function personIdentity(root: string): { name: string; email: string } | undefined {
  const get = (key: string) => git(root, ['config', key], { allowFail: true }).stdout.trim();
  const name = get('user.name');
  return name ? { name, email: get('user.email') } : undefined;
}
