import { resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { loadScenarioFile } from '../../model-server/load-scenario.js';
import { startModelServer } from '../../model-server/server.js';
import type { CommandContext, CommandHandler } from '../command-table.js';

/** `cxo model-server --scenario FILE`: serve a scripted model until SIGINT or SIGTERM. */
const modelServer: CommandHandler = async (ctx) => {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await serveModel(ctx, stop.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
};
export default modelServer;

/** The command's body, stopped by `signal` instead of process signals (tests call it directly). */
export async function serveModel(
  { cwd, options, out }: CommandContext,
  signal: AbortSignal,
): Promise<number> {
  const scenarioPath = options.scenario;
  if (typeof scenarioPath !== 'string' || scenarioPath === '')
    throw new UsageError(
      'missing --scenario FILE',
      'usage: cxo model-server --scenario FILE [--port N] [--log FILE]',
    );
  const port = parsePort(options.port);
  const loaded = loadScenarioFile(resolve(cwd, scenarioPath), scenarioPath);
  out.diagnostics(loaded.diagnostics);
  const server = await startModelServer({
    scenario: loaded.scenario,
    port,
    logFile: typeof options.log === 'string' ? resolve(cwd, options.log) : undefined,
  });
  // one line either way, so a process that starts the server can read the address from its first line
  if (options.json) out.line(JSON.stringify({ url: server.url, port: server.port }));
  else out.line(`model server listening on ${server.url}`);
  if (!signal.aborted) await new Promise((done) => signal.addEventListener('abort', done, { once: true }));
  await server.close();
  return 0;
}

function parsePort(value: unknown): number {
  if (value === undefined) return 0;
  const port = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(port >= 0 && port <= 65535))
    throw new UsageError(`--port must be a number from 0 to 65535, not "${value}"`);
  return port;
}
