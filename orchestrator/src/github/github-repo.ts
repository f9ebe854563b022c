import { UsageError } from '../errors.js';
import { git } from '../git/git.js';
import type { Config } from '../repo/config.js';
import { createGitHubClient, type GitHubClient } from './github-client.js';
import { parseRepoSlug } from './repo-slug.js';

export interface GitHubRepo {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  /** The web address of the repository, for links in pull request bodies. */
  webUrl: string;
}

/**
 * The repository on GitHub this checkout belongs to (github.repo, else the remote's URL) and a
 * client authenticated with the token in the environment variable github.token_env.
 */
export function connectGitHub(root: string, config: Config, env: NodeJS.ProcessEnv): GitHubRepo {
  let slug = config.github.repo;
  if (!slug) {
    const url = git(root, ['remote', 'get-url', config.gitops.remote], { allowFail: true });
    if (url.status !== 0) {
      throw new UsageError(
        `which GitHub repository? there is no remote "${config.gitops.remote}"`,
        'set github.repo: owner/name in codex.config.yaml',
      );
    }
    slug = url.stdout.trim();
  }
  const { owner, repo } = parseRepoSlug(slug);
  const token = env[config.github.token_env]?.trim();
  if (!token) {
    throw new UsageError(
      `no GitHub token: ${config.github.token_env} is not set`,
      `export ${config.github.token_env}=<a token that can write pull requests and statuses>`,
    );
  }
  const apiUrl = config.github.api_url.replace(/\/+$/, '');
  const web = apiUrl === 'https://api.github.com' ? 'https://github.com' : apiUrl.replace(/\/api\/v3$/, '');
  return {
    octokit: createGitHubClient({ token, baseUrl: apiUrl }),
    owner,
    repo,
    webUrl: `${web}/${owner}/${repo}`,
  };
}
