/**
 * A loopback stand-in for api.github.com that replays recorded exchanges from @octokit/fixtures
 * (real GitHub responses, recorded and normalized by the Octokit project), in order, over real HTTP.
 * Only GitHub is replaced: the client under test sends real requests through fetch.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface Exchange {
  /** Where it comes from: `api.github.com/create-status #0`, or `hand-built: <why>`. */
  source: string;
  method: string;
  /** Path and query as GitHub received them. */
  path: string;
  status: number;
  headers: Record<string, string>;
  /** The response body: a JSON value, or a string for non-JSON content; '' for none. */
  body: unknown;
  /** The body the recorded client sent to GitHub, when the exchange is a recording. */
  requestBody?: unknown;
}

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON when the request said so, else the raw text; undefined when empty. */
  body: unknown;
  /** The exchange that answered it; undefined for an unexpected request (answered 500). */
  answeredBy?: string;
}

/** One entry of a scenario's normalized-fixture.json (the nock definition format). */
interface FixtureEntry {
  scope: string;
  method: string;
  path: string;
  body: unknown;
  status: number;
  response: unknown;
  reqheaders: Record<string, string | number>;
  headers: Record<string, string | number>;
}

const FIXTURES_DIR = dirname(createRequire(import.meta.url).resolve('@octokit/fixtures/package.json'));
const RECORDED_ORIGIN = 'https://api.github.com';
/** Connection-level headers the recording carried; Node sets its own for the replayed body. */
const DROPPED_HEADERS = new Set(['content-length', 'connection', 'transfer-encoding', 'keep-alive']);

/** The recorded entries of a scenario, e.g. `create-status` (host api.github.com). */
export function loadScenario(name: string): (Exchange & { requestHeaders: Record<string, string> })[] {
  const file = join(
    FIXTURES_DIR,
    'scenarios',
    RECORDED_ORIGIN.slice('https://'.length),
    name,
    'normalized-fixture.json',
  );
  const entries = JSON.parse(readFileSync(file, 'utf8')) as FixtureEntry[];
  return entries.map((entry, index) => ({
    source: `api.github.com/${name} #${index}`,
    method: entry.method.toUpperCase(),
    path: entry.path,
    status: entry.status,
    headers: stringValues(entry.headers),
    body: entry.response ?? '',
    requestBody: entry.body === '' ? undefined : entry.body,
    requestHeaders: stringValues(entry.reqheaders),
  }));
}

/**
 * The response headers GitHub sent with a recorded JSON answer (`get-repository`), for hand-built
 * exchanges: rate-limit, media-type and request-id headers as GitHub sends them.
 */
export function githubHeaders(overrides: Record<string, string> = {}): Record<string, string> {
  const recorded = loadScenario('get-repository')[0].headers;
  const { etag: _etag, 'last-modified': _lastModified, ...headers } = recorded;
  return { ...headers, ...overrides };
}

/** An exchange the fixtures do not record; `why` says so in failure messages. */
export function handBuilt(exchange: {
  why: string;
  method: string;
  path: string;
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}): Exchange {
  return {
    source: `hand-built: ${exchange.why}`,
    method: exchange.method.toUpperCase(),
    path: exchange.path,
    status: exchange.status,
    headers: githubHeaders(exchange.headers),
    body: exchange.body,
  };
}

export interface ReplayServer {
  /** The base URL to give the client: http://127.0.0.1:<port>. */
  url: string;
  received: ReceivedRequest[];
  /** Requests no exchange matched; a test fails unless this stays empty. */
  unmatched: ReceivedRequest[];
  push(...exchanges: Exchange[]): void;
  /** Exchanges not yet consumed, as `METHOD path (source)`. */
  pending(): string[];
  close(): Promise<void>;
}

/** Starts the server on 127.0.0.1 with an ephemeral port; exchanges are answered strictly in order. */
export async function startReplayServer(exchanges: Exchange[] = []): Promise<ReplayServer> {
  const queue = [...exchanges];
  const received: ReceivedRequest[] = [];
  const unmatched: ReceivedRequest[] = [];
  let url = '';

  const server = createServer((req, res) => {
    readBody(req).then(
      (text) => answer(req, res, text),
      () => res.destroy(),
    );
  });

  function answer(req: IncomingMessage, res: ServerResponse, text: string): void {
    const request: ReceivedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      body: parseBody(text, req.headers['content-type']),
    };
    received.push(request);
    const next = queue[0];
    if (!next || next.method !== request.method || !samePath(next.path, request.path)) {
      unmatched.push(request);
      const expected = next
        ? `${next.method} ${next.path} (${next.source})`
        : 'nothing (all exchanges consumed)';
      res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
      res.end(
        JSON.stringify({
          message: `replay: unexpected ${request.method} ${request.path}; expected ${expected}`,
        }),
      );
      return;
    }
    queue.shift();
    request.answeredBy = next.source;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(next.headers)) {
      // Pagination links and redirects point at api.github.com; keep the client on this server.
      if (!DROPPED_HEADERS.has(name)) headers[name] = value.split(RECORDED_ORIGIN).join(url);
    }
    res.writeHead(next.status, headers);
    res.end(serializeBody(next.body, headers['content-type']));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    received,
    unmatched,
    push: (...more) => queue.push(...more),
    pending: () => queue.map((e) => `${e.method} ${e.path} (${e.source})`),
    close: () =>
      new Promise<void>((resolve, reject) => {
        // fetch keeps connections alive; close them so the server can stop.
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBody(text: string, contentType: string | undefined): unknown {
  if (text === '') return undefined;
  if (contentType?.includes('json')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

function serializeBody(body: unknown, contentType: string | undefined): string {
  if (body === undefined || body === '') return '';
  if (typeof body === 'string' && !contentType?.includes('json')) return body;
  return JSON.stringify(body);
}

/** Same path, and the same query parameters in any order. */
function samePath(expected: string, actual: string): boolean {
  const a = new URL(expected, RECORDED_ORIGIN);
  const b = new URL(actual, RECORDED_ORIGIN);
  const query = (u: URL) => [...u.searchParams.entries()].map(([k, v]) => `${k}=${v}`).sort();
  return a.pathname === b.pathname && JSON.stringify(query(a)) === JSON.stringify(query(b));
}

function stringValues(headers: Record<string, string | number>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name.toLowerCase(), String(value)]),
  );
}
