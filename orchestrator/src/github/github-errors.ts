import { STATUS_CODES } from 'node:http';
import { OperationError } from '../errors.js';

/**
 * The parts of Octokit's RequestError this port reads. Matched by shape rather than `instanceof`:
 * `@octokit/request-error` is not a direct dependency, and a second copy of it would break `instanceof`.
 */
export interface GitHubRequestError extends Error {
  status: number;
  request: { method: string; url: string };
  response?: { status: number; headers: Record<string, string | number | undefined>; data: unknown };
}

export function isGitHubRequestError(error: unknown): error is GitHubRequestError {
  if (!(error instanceof Error) || !('status' in error) || !('request' in error)) return false;
  const request = error.request as { method?: unknown; url?: unknown } | undefined;
  return typeof error.status === 'number' && typeof request?.method === 'string';
}

/** Runs one GitHub call, turning a failed request into an OperationError that says what to do. */
export async function githubCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toOperationError(error);
  }
}

/** Converts Octokit's RequestError; anything else (a bug) is returned unchanged. */
export function toOperationError(error: unknown): unknown {
  if (!isGitHubRequestError(error)) return error;
  const request = `${error.request.method} ${requestPath(error.request.url)}`;
  if (!error.response) {
    return new OperationError(
      `GitHub: ${request} failed: ${error.message}`,
      `GitHub could not be reached at ${origin(error.request.url)}; check the network and github.api_url.`,
    );
  }
  const status = error.response.status;
  const data = error.response.data;
  const said = githubMessage(data);
  const reason = STATUS_CODES[status] ?? 'Error';
  const detail = said && said.toLowerCase() !== reason.toLowerCase() ? ` (${said})` : '';
  return new OperationError(
    `GitHub: ${request} failed: ${status} ${reason}${detail}`,
    hintFor(status, error.request.url, error.response.headers, data),
  );
}

function hintFor(
  status: number,
  url: string,
  headers: Record<string, string | number | undefined>,
  data: unknown,
): string | undefined {
  switch (status) {
    case 401:
      return 'The token was rejected (invalid, expired or revoked): set GITHUB_TOKEN (or the variable named by github.token_env) to a valid token.';
    case 403:
    case 429:
      if (isRateLimited(status, headers, data)) return rateLimitHint(headers);
      return permissionHint(headers);
    case 404: {
      const repo = repoOf(url);
      return `The repository ${repo ? `${repo} ` : ''}does not exist, or the token cannot see it (GitHub answers 404 to tokens without access to a private repository).`;
    }
    case 422: {
      const reasons = validationMessages(data);
      return `GitHub rejected the request as invalid${reasons.length > 0 ? `: ${reasons.join('; ')}` : '.'}`;
    }
    default:
      return status >= 500 ? 'GitHub failed to answer; try again later.' : undefined;
  }
}

/** A 429, or a 403 caused by a primary or secondary rate limit rather than missing permission. */
export function isRateLimited(
  status: number,
  headers: Record<string, string | number | undefined>,
  data: unknown,
): boolean {
  if (status === 429) return true;
  if (status !== 403) return false;
  if (headers['retry-after'] !== undefined) return true;
  if (String(headers['x-ratelimit-remaining']) === '0') return true;
  return /rate limit|abuse detection/i.test(githubMessage(data) ?? '');
}

function rateLimitHint(headers: Record<string, string | number | undefined>): string {
  const retryAfter = Number(headers['retry-after']);
  if (Number.isFinite(retryAfter) && headers['retry-after'] !== undefined)
    return `GitHub rate limit reached: retry after ${retryAfter} s.`;
  const reset = Number(headers['x-ratelimit-reset']);
  if (String(headers['x-ratelimit-remaining']) === '0' && Number.isFinite(reset) && reset > 0) {
    const at = new Date(reset * 1000);
    if (!Number.isNaN(at.getTime())) return `GitHub rate limit reached: it resets at ${at.toISOString()}.`;
  }
  return 'GitHub rate limit reached: wait a minute before retrying.';
}

function permissionHint(headers: Record<string, string | number | undefined>): string {
  // Fine-grained tokens and apps get x-accepted-github-permissions; classic tokens x-accepted-oauth-scopes.
  const permissions = String(headers['x-accepted-github-permissions'] ?? '').trim();
  const scopes = String(headers['x-accepted-oauth-scopes'] ?? '').trim();
  const needs = [
    permissions ? `permission ${permissions}` : '',
    scopes ? `OAuth scope ${scopes}` : '',
  ].filter(Boolean);
  return needs.length > 0
    ? `The token lacks ${needs.join(' or ')} (or the request was rate limited).`
    : 'The token lacks the permission this request needs (or the request was rate limited).';
}

/** GitHub's `errors[]` of a 422: their `message` when given, else resource, field and code. */
function validationMessages(data: unknown): string[] {
  const errors = (data as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors.map((entry: unknown) => {
    if (typeof entry === 'string') return entry;
    const e = (entry ?? {}) as { message?: unknown; resource?: unknown; field?: unknown; code?: unknown };
    if (typeof e.message === 'string' && e.message) return e.message;
    const where = [e.resource, e.field].filter((part) => typeof part === 'string' && part).join('.');
    return (
      [where, typeof e.code === 'string' ? e.code : ''].filter(Boolean).join(' ') || JSON.stringify(entry)
    );
  });
}

/** The `message` of GitHub's JSON error body. */
export function githubMessage(data: unknown): string | undefined {
  if (typeof data === 'string') return data.trim() || undefined;
  const message = (data as { message?: unknown } | null)?.message;
  return typeof message === 'string' && message ? message : undefined;
}

function requestPath(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.pathname}${parsed.search}`;
  } catch {
    return url;
  }
}

function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

function repoOf(url: string): string | undefined {
  const match = /\/repos\/([^/?#]+)\/([^/?#]+)/.exec(requestPath(url));
  return match ? `${decodeURIComponent(match[1])}/${decodeURIComponent(match[2])}` : undefined;
}
