import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { anthropicMessages } from './anthropic-messages.js';
import { chatCompletions } from './chat-completions.js';
import { checkScenario, loadScenarioFile } from './load-scenario.js';
import { openAiError } from './openai-common.js';
import { type Play, ScenarioPlayer } from './player.js';
import { type LoggedRequest, redactHeaders, RequestLog } from './request-log.js';
import { responsesApi } from './responses-api.js';
import type { Scenario } from './scenario.js';
import { sendJson } from './sse.js';
import { RequestShapeError, type WireFormat } from './wire-format.js';

export type { LoggedRequest } from './request-log.js';
export type { Scenario, Script, Step } from './scenario.js';

export interface ModelServerOptions {
  /** The scenario, or the path of its YAML file. */
  scenario: Scenario | string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1: the server is for tests and demos on this machine. */
  host?: string;
  /** Also append every request to this file as NDJSON. */
  logFile?: string;
}

export interface ModelServer {
  /** Base URL for OpenAI clients, ending in `/v1`. */
  url: string;
  /** The same without `/v1`, for ANTHROPIC_BASE_URL (Claude Code appends `/v1/messages` itself). */
  origin: string;
  port: number;
  scenario: Scenario;
  /** Every request so far, in arrival order. */
  requests: LoggedRequest[];
  /** Forgets the requests and how often hostile steps have answered. */
  reset(): void;
  close(): Promise<void>;
}

const FORMATS: Record<string, WireFormat> = {
  '/responses': responsesApi,
  '/chat/completions': chatCompletions,
  '/messages': anthropicMessages,
};

const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** Starts the scripted model server on loopback. */
export async function startModelServer(options: ModelServerOptions): Promise<ModelServer> {
  const scenario =
    typeof options.scenario === 'string'
      ? loadScenarioFile(options.scenario).scenario
      : checkScenario(options.scenario).scenario;
  const player = new ScenarioPlayer(scenario);
  const log = new RequestLog(options.logFile);
  const waits = new Set<() => void>();
  let seq = 0;

  const server = createServer((req, res) => {
    handle(req, res, ++seq).catch((e: unknown) => {
      if (!res.headersSent)
        sendJson(res, 500, openAiError(500, `model server bug: ${(e as Error).message}`, 'bug'));
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, n: number): Promise<void> {
    const entry: LoggedRequest = {
      seq: n,
      time: new Date().toISOString(),
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: redactHeaders(req.headers),
      body: undefined,
      status: 0,
    };
    const raw = await readBody(req);
    entry.body = parseBody(raw);
    const route = new URL(entry.path, 'http://localhost').pathname
      .replace(/\/+$/, '')
      .replace(/^\/v1(?=\/|$)/, '');
    const tag = `cxo${String(n).padStart(4, '0')}`;
    res.setHeader('x-request-id', `req_${tag}`);
    res.setHeader('request-id', `req_${tag}`);
    const refuse = (status: number, message: string, code: string, format?: WireFormat) => {
      Object.assign(entry, { status, error: message });
      log.add(entry);
      sendJson(res, status, (format?.errorBody ?? openAiError)(status, message, code));
    };

    if (req.method === 'GET') {
      if (route === '' || route === '/health') {
        Object.assign(entry, { status: 200 });
        log.add(entry);
        sendJson(res, 200, { ok: true, models: player.modelNames() });
        return;
      }
      if (route === '/models' || route.startsWith('/models/')) {
        const models = player.modelNames().map((id) => modelObject(id));
        const wanted = route.startsWith('/models/')
          ? decodeURIComponent(route.slice('/models/'.length))
          : undefined;
        if (wanted === undefined) {
          entry.status = 200;
          log.add(entry);
          sendJson(res, 200, { object: 'list', data: models, has_more: false });
          return;
        }
        const model = models.find((m) => m.id === wanted);
        if (!model) return refuse(404, `no model "${wanted}" in the scenario`, 'model_not_found');
        entry.status = 200;
        log.add(entry);
        sendJson(res, 200, model);
        return;
      }
      return refuse(404, `no route GET ${route || '/'}`, 'not_found');
    }
    if (req.method !== 'POST')
      return refuse(405, `method ${req.method} is not supported`, 'method_not_allowed');
    if (route === '/messages/count_tokens') {
      entry.status = 200;
      log.add(entry);
      sendJson(res, 200, { input_tokens: Math.ceil(raw.length / 4) });
      return;
    }
    const format = FORMATS[route];
    if (!format) return refuse(404, `no route POST ${route}`, 'not_found');
    entry.api = format.api;
    const body = entry.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      return refuse(400, 'the request body must be a JSON object', 'invalid_json', format);
    let view;
    try {
      view = format.read(body as Record<string, unknown>);
    } catch (e) {
      if (e instanceof RequestShapeError) return refuse(400, e.message, 'invalid_request', format);
      throw e;
    }
    entry.stream = view.stream;
    const play = player.play(view);
    Object.assign(entry, play.meta);
    if (play.kind === 'answer' && play.answer.kind === 'call') entry.tool = play.answer.name;
    if (play.kind === 'refuse') return refuse(400, play.message, play.code, format);
    entry.status = play.kind === 'error' ? play.status : play.kind === 'drop' ? 0 : 200;
    log.add(entry);
    if (play.hang) await wait(play.hang, res);
    if (res.writableEnded || !res.socket || res.socket.destroyed) return;
    answer(res, play, format, { view, model: play.model, tag, created: Math.floor(Date.now() / 1000) });
  }

  function answer(
    res: ServerResponse,
    play: Exclude<Play, { kind: 'refuse' }>,
    format: WireFormat,
    ctx: Parameters<WireFormat['answer']>[1],
  ): void {
    switch (play.kind) {
      case 'answer':
        return format.answer(res, ctx, play.answer, play.usage);
      case 'malformed':
        return format.malformed(res, ctx);
      case 'drop':
        res.socket?.destroy();
        return;
      case 'error': {
        const headers: Record<string, string> = {};
        if (play.retryAfter !== undefined) headers['retry-after'] = String(play.retryAfter);
        if (typeof play.body === 'string') {
          res.writeHead(play.status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
          res.end(play.body);
          return;
        }
        const body =
          play.body ?? format.errorBody(play.status, `scripted error ${play.status}`, 'scripted_error');
        sendJson(res, play.status, body, headers);
        return;
      }
    }
  }

  /** Waits, but gives up as soon as the client goes away or the server closes. */
  function wait(ms: number, res: ServerResponse): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        waits.delete(done);
        res.off('close', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      waits.add(done);
      res.on('close', done);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const origin = `http://${host}:${address.port}`;
  return {
    url: `${origin}/v1`,
    origin,
    port: address.port,
    scenario,
    requests: log.entries,
    reset() {
      log.clear();
      player.reset();
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        // sockets are gone; the pending hangs must not hold the process
        for (const done of [...waits]) done();
      });
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`request body over ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBody(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

/** A model entry both OpenAI (`object`, `owned_by`) and Anthropic (`type`, `display_name`) clients accept. */
function modelObject(id: string): Record<string, unknown> & { id: string } {
  return {
    id,
    object: 'model',
    type: 'model',
    display_name: id,
    created: 0,
    created_at: '1970-01-01T00:00:00Z',
    owned_by: 'codex-orchestrator',
  };
}
