import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { parseRepoSlug } from '../../src/github/repo-slug.js';

describe('parseRepoSlug', () => {
  it.each([
    ['octokit/rest.js', 'octokit', 'rest.js'],
    ['  octokit/rest.js\n', 'octokit', 'rest.js'],
    ['https://github.com/octokit/rest.js', 'octokit', 'rest.js'],
    ['https://github.com/octokit/rest.js.git', 'octokit', 'rest.js'],
    ['https://github.com/octokit/rest.js/', 'octokit', 'rest.js'],
    ['https://x-access-token:abc@github.com/octokit/rest.js.git', 'octokit', 'rest.js'],
    ['git@github.com:octokit/rest.js.git', 'octokit', 'rest.js'],
    ['git@github.com:octokit/rest.js', 'octokit', 'rest.js'],
    ['ssh://git@github.com/octokit/rest.js.git', 'octokit', 'rest.js'],
    ['ssh://git@github.com:22/octokit/rest.js.git', 'octokit', 'rest.js'],
    ['https://ghe.example.com/team_acme/my-repo.git', 'team_acme', 'my-repo'],
    ['octokit-fixture-org/hello-world', 'octokit-fixture-org', 'hello-world'],
  ])('reads %j', (text, owner, repo) => {
    expect(parseRepoSlug(text)).toEqual({ owner, repo });
  });

  it.each([
    '',
    'octokit',
    'octokit/',
    '/rest.js',
    'octokit/rest.js/extra',
    'octokit/..',
    'https://github.com/octokit',
    'https://github.com/octokit/rest.js/tree/main',
    'git@github.com:octokit',
    '-bad/name',
    'owner/na me',
  ])('rejects %j with a UsageError naming it', (text) => {
    let error: unknown;
    try {
      parseRepoSlug(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe(`Not a GitHub repository: "${text.trim()}"`);
    expect((error as UsageError).hint).toContain('owner/name');
  });

  it('does not echo a token found in a remote URL', () => {
    expect(() => parseRepoSlug('https://x-access-token:ghs_secret@github.com/octokit')).toThrow(
      'Not a GitHub repository: "https://***@github.com/octokit"',
    );
  });
});
