import { Octokit } from '@octokit/rest';
import { UsageError } from '../errors.js';
import { isGitHubRequestError, isRateLimited } from './github-errors.js';

export type GitHubClient = Octokit;

export interface GitHubClientOptions {
  token: string;
  /** REST API root; GitHub Enterprise: https://HOST/api/v3. Default https://api.github.com. */
  baseUrl?: string;
  userAgent?: string;
  /** Retries of a rate-limited request (429, or a rate-limit 403). Default 3. */
  maxRetries?: number;
  /** The longest wait before a retry; a rate limit that lasts longer fails at once. Default 60 s. */
  maxWaitMs?: number;
  /** Injected by tests to record the waits instead of sleeping. */
  sleep?: (ms: number) => Promise<void>;
  /** Injected by tests to pin the clock used with x-ratelimit-reset. */
  now?: () => number;
}

export const DEFAULT_API_URL = 'https://api.github.com';
const DEFAULT_MAX_RETRIES = 3;
const DEFAULT_MAX_WAIT_MS = 60_000;
/** GitHub's advice for a secondary rate limit that names no wait: "wait for at least one minute". */
const UNSPECIFIED_WAIT_MS = 60_000;

const noop = (): void => {};

export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  if (!options.token) {
    throw new UsageError(
      'No GitHub token',
      'Set GITHUB_TOKEN (or the variable named by github.token_env) to a token that can write pull requests and statuses.',
    );
  }
  const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;

  const octokit = new Octokit({
    auth: options.token,
    baseUrl: (options.baseUrl ?? DEFAULT_API_URL).replace(/\/+$/, ''),
    userAgent: options.userAgent ?? 'codex-orchestrator',
    // The request-log plugin reports every failure on console.error; failures reach the caller as
    // OperationErrors instead, so only warnings (endpoint deprecations) are printed.
    log: { debug: noop, info: noop, warn: (message: string) => console.warn(message), error: noop },
  });

  octokit.hook.wrap('request', async (request, requestOptions) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await request(requestOptions);
      } catch (error) {
        const wait = attempt < maxRetries ? retryDelayMs(error, now()) : undefined;
        if (wait === undefined || wait > maxWaitMs) throw error;
        await sleep(wait);
      }
    }
  });
  return octokit;
}

/**
 * How long GitHub asks us to wait before retrying, or undefined when the failure is not a rate limit.
 * Order from GitHub's REST docs ("Rate limits for the REST API"): retry-after, then x-ratelimit-reset
 * when no requests remain, else at least a minute.
 */
export function retryDelayMs(error: unknown, nowMs: number): number | undefined {
  if (!isGitHubRequestError(error) || !error.response) return undefined;
  const { status, headers, data } = error.response;
  if (!isRateLimited(status, headers, data)) return undefined;
  const retryAfter = headers['retry-after'];
  if (retryAfter !== undefined && /^\d+$/.test(String(retryAfter).trim())) return Number(retryAfter) * 1000;
  const reset = Number(headers['x-ratelimit-reset']);
  if (String(headers['x-ratelimit-remaining']) === '0' && Number.isFinite(reset))
    return Math.max(0, reset * 1000 - nowMs);
  // A 403 that only says "secondary rate limit", or a bare 429.
  return UNSPECIFIED_WAIT_MS;
}
