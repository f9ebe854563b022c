import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import modelServer, { serveModel } from '../../src/cli/commands/model-server.js';
import { Output } from '../../src/cli/output.js';
import { UsageError } from '../../src/errors.js';
import { ScenarioError } from '../../src/model-server/load-scenario.js';
import { PROJECT_ROOT } from '../helpers/temp-repo.js';
import { postJson } from './helpers.js';

// The command handler itself (the bundle is wired and tested separately): it serves until stopped.
class Capture extends Writable {
  text = '';
  private waiters: (() => void)[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    for (const w of this.waiters.splice(0)) w();
    done();
  }
  async firstLine(): Promise<string> {
    while (!this.text.includes('\n')) await new Promise<void>((r) => this.waiters.push(r));
    return this.text.split('\n')[0];
  }
}

function context(options: Record<string, string | boolean | undefined>) {
  const stdout = new Capture();
  const stderr = new Capture();
  return {
    ctx: { cwd: PROJECT_ROOT, args: {}, options, out: new Output(stdout, stderr, false) },
    stdout,
    stderr,
  };
}

const SCENARIO = 'orchestrator/tests/fixtures/scenarios/roles.yaml';

describe('cxo model-server handler', () => {
  it('prints its URL, serves the scenario, logs NDJSON and stops when told', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'cxo-model-log-')), 'requests.ndjson');
    const { ctx, stdout } = context({ scenario: SCENARIO, log });
    const stop = new AbortController();
    const exit = serveModel(ctx, stop.signal);
    const line = await stdout.firstLine();
    const url = /^model server listening on (http:\/\/127\.0\.0\.1:\d+\/v1)$/.exec(line)?.[1];
    expect(url).toBeDefined();
    const res = await postJson(
      `${url}/chat/completions`,
      { model: 'x', messages: [{ role: 'user', content: '# Role: manager' }] },
      { authorization: 'Bearer sk-secret' },
    );
    expect(res.status).toBe(200);
    const entries = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      seq: 1,
      method: 'POST',
      path: '/v1/chat/completions',
      script: 'manager',
    });
    expect(readFileSync(log, 'utf8')).not.toContain('sk-secret');
    stop.abort();
    expect(await exit).toBe(0);
    await expect(fetch(`${url}/models`)).rejects.toThrow();
  });

  it('prints {url, port} with --json and honours --port', async () => {
    const probe = context({ scenario: SCENARIO, json: true });
    const first = new AbortController();
    const firstExit = serveModel(probe.ctx, first.signal);
    const { port } = JSON.parse(await probe.stdout.firstLine()) as { port: number };
    first.abort();
    await firstExit;
    // the port just freed is asked for explicitly
    const { ctx, stdout } = context({ scenario: SCENARIO, json: true, port: String(port) });
    const stop = new AbortController();
    const exit = serveModel(ctx, stop.signal);
    expect(JSON.parse(await stdout.firstLine())).toEqual({ url: `http://127.0.0.1:${port}/v1`, port });
    stop.abort();
    expect(await exit).toBe(0);
  });

  it('runs until SIGTERM as the registered command', async () => {
    const { ctx, stdout } = context({ scenario: SCENARIO });
    const listeners = process.listenerCount('SIGTERM');
    const exit = modelServer(ctx);
    const url = (await stdout.firstLine()).split(' ').at(-1) ?? '';
    expect((await fetch(`${url}/models`)).status).toBe(200);
    // the listener the handler installed, called as the signal would call it
    process.emit('SIGTERM');
    expect(await exit).toBe(0);
    expect(process.listenerCount('SIGTERM')).toBe(listeners);
  });

  it('refuses a missing scenario, a bad port and an invalid scenario file', async () => {
    const signal = new AbortController().signal;
    await expect(serveModel(context({}).ctx, signal)).rejects.toThrow(UsageError);
    await expect(serveModel(context({ scenario: SCENARIO, port: 'http' }).ctx, signal)).rejects.toThrow(
      /--port must be a number/,
    );
    const bad = 'orchestrator/tests/fixtures/scenarios/bad-schema.yaml';
    const error = await serveModel(context({ scenario: bad }).ctx, signal).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).diagnostics[0]).toMatchObject({ file: bad, line: 7, column: 26 });
  });
});
