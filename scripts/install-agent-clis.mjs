// Installs the real agent CLIs the end-to-end tests drive (npm run test:e2e), each pinned and in its
// own npm prefix under a cache directory outside node_modules: they are hundreds of megabytes, not
// dependencies of the package, and two Codex versions are needed side by side (0.153.4 is the last
// with `codex mcp-server`). What is already installed (and runs) is skipped.
//
//   node scripts/install-agent-clis.mjs [--json]
//
// Cache: $CXO_AGENT_CLI_CACHE, else ~/.cache/codex-orchestrator/agent-clis/<package>@<version>.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The pinned CLIs, by the key the tests use. */
export const AGENT_CLIS = {
  codex: { package: '@openai/codex', version: '0.169.0', bin: 'codex' },
  'codex-mcp': { package: '@openai/codex', version: '0.153.4', bin: 'codex' },
  claude: { package: '@anthropic-ai/claude-code', version: '2.1.330', bin: 'claude' },
};

const MARKER = '.cxo-agent-cli.json';

export function cacheRoot(env = process.env) {
  return env.CXO_AGENT_CLI_CACHE || join(homedir(), '.cache', 'codex-orchestrator', 'agent-clis');
}

export function installDir(key, env = process.env) {
  const cli = AGENT_CLIS[key];
  return join(cacheRoot(env), `${cli.package}@${cli.version}`);
}

/** The CLI's launcher as npm links it. */
export function binPath(key, env = process.env) {
  return join(installDir(key, env), 'node_modules', '.bin', AGENT_CLIS[key].bin);
}

/** Installs what is missing; resolves to { key: binary path }. */
export async function installAgentClis({ env = process.env, log = console.error } = {}) {
  const seen = new Map();
  for (const key of Object.keys(AGENT_CLIS)) {
    const dir = installDir(key, env);
    if (!seen.has(dir)) seen.set(dir, install(key, env, log));
  }
  await Promise.all(seen.values());
  return Object.fromEntries(Object.keys(AGENT_CLIS).map((key) => [key, binPath(key, env)]));
}

async function install(key, env, log) {
  const cli = AGENT_CLIS[key];
  const spec = `${cli.package}@${cli.version}`;
  const dir = installDir(key, env);
  if (existsSync(join(dir, MARKER)) && existsSync(binPath(key, env))) {
    log(`${spec}: already installed in ${dir}`);
    return;
  }
  // installed next to its final place and renamed into it: an interrupted install leaves no half prefix
  const partial = `${dir}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  const started = Date.now();
  log(`${spec}: installing into ${dir} ...`);
  try {
    await run('npm', ['install', '--prefix', partial, '--no-save', '--no-audit', '--no-fund', spec], {
      timeout: 20 * 60_000,
    });
    checkPlatformBinary(partial, cli);
    const version = await run(join(partial, 'node_modules', '.bin', cli.bin), ['--version'], {
      timeout: 60_000,
    });
    if (!version.includes(cli.version)) {
      throw new Error(`${cli.bin} --version printed ${JSON.stringify(version.trim())}, not ${cli.version}`);
    }
    await writeFile(
      join(partial, MARKER),
      `${JSON.stringify({ ...cli, installedAt: new Date().toISOString() }, null, 2)}\n`,
    );
    await rm(dir, { recursive: true, force: true });
    await rename(partial, dir);
  } catch (e) {
    await rm(partial, { recursive: true, force: true });
    throw new Error(`${spec}: ${e.message}`, { cause: e });
  }
  log(`${spec}: installed in ${Math.round((Date.now() - started) / 1000)} s`);
}

/**
 * The JavaScript launcher is useless without the native binary, which comes in an optional
 * dependency: npm skips it silently when it fails (or with --omit=optional), so check it landed.
 */
function checkPlatformBinary(prefix, cli) {
  const manifest = JSON.parse(
    readFileSync(join(prefix, 'node_modules', ...cli.package.split('/'), 'package.json'), 'utf8'),
  );
  const wanted = Object.keys(manifest.optionalDependencies ?? {}).filter((name) =>
    name.includes(`${process.platform}-${process.arch}`),
  );
  if (wanted.length === 0) return;
  const present = wanted.filter((name) => existsSync(join(prefix, 'node_modules', ...name.split('/'))));
  if (present.length === 0) {
    throw new Error(
      `none of its platform packages (${wanted.join(', ')}) was installed; is --omit=optional set in the npm config?`,
    );
  }
}

function run(command, args, { timeout }) {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        const tail = `${stdout}${stderr}`.trim().split('\n').slice(-20).join('\n');
        reject(new Error(`${command} ${args.join(' ')} failed: ${error.message}\n${tail}`));
      } else resolve(`${stdout}${stderr}`);
    });
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const bins = await installAgentClis();
    if (process.argv.includes('--json')) console.log(JSON.stringify(bins, null, 2));
    else for (const [key, path] of Object.entries(bins)) console.log(`${key}\t${path}`);
  } catch (e) {
    console.error(`install-agent-clis: ${e.message}`);
    process.exitCode = 1;
  }
}
