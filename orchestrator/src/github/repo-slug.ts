import { UsageError } from '../errors.js';

export interface RepoSlug {
  owner: string;
  repo: string;
}

// GitHub logins: letters, digits, hyphens (Enterprise managed users add `_shortcode`).
const OWNER = '[A-Za-z0-9][A-Za-z0-9_-]*';
const NAME = '[A-Za-z0-9._-]+';
const PATH = `(${OWNER})/(${NAME}?)(?:\\.git)?/?`;

/** Any host, so that GitHub Enterprise remotes parse too; the API host comes from github.api_url. */
const FORMS = [
  new RegExp(`^(${OWNER})/(${NAME}?)(?:\\.git)?$`),
  new RegExp(`^https?://(?:[^@/]*@)?[^/@]+/${PATH}$`),
  new RegExp(`^ssh://(?:[^@/]*@)?[^/@]+/${PATH}$`),
  new RegExp(`^[^@/:\\s]+@[^/:\\s]+:${PATH}$`),
];

/**
 * `owner/name`, `https://github.com/owner/name(.git)`, `git@github.com:owner/name(.git)` or
 * `ssh://git@github.com/owner/name.git` to `{ owner, repo }`.
 */
export function parseRepoSlug(text: string): RepoSlug {
  const input = text.trim();
  for (const form of FORMS) {
    const match = form.exec(input);
    if (match && !['.', '..', '.git'].includes(match[2])) {
      return { owner: match[1], repo: match[2] };
    }
  }
  throw new UsageError(
    `Not a GitHub repository: "${redactCredentials(input)}"`,
    'Expected owner/name, https://github.com/owner/name, git@github.com:owner/name.git or ssh://git@github.com/owner/name.git (set github.repo in codex.config.yaml).',
  );
}

/** A remote URL may carry a token (https://x-access-token:TOKEN@github.com/...); never echo it. */
function redactCredentials(input: string): string {
  return input.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1***@');
}
