// `npm run demo`: the whole flow on a small real project (examples/demo/project), with the built-in
// agent against the embedded scripted model server (examples/demo/scenario.yaml), using the CLI as
// a person would: approve the spec, request the task, guard, run, review. Needs `npm run build`.
// Usage: node scripts/demo.mjs [--keep]   (the demo repository is kept with --keep, or on failure)
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist/bin/cxo.js');
if (!existsSync(cli)) {
  console.error('the CLI is not built: run `npm run build` first (`npm run demo` does)');
  process.exit(2);
}
const { startModelServer } = await import('../dist/model-server/server.js');

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const bold = (s) => (color ? `\x1b[1m${s}\x1b[0m` : s);
const step = (title) => console.log(`\n${bold(`==> ${title}`)}`);

const repo = mkdtempSync(join(tmpdir(), 'cxo-demo-'));
cpSync(join(root, 'examples/demo/project'), repo, { recursive: true });
const specPath = join(repo, 'specs/0001-slugify.md');
writeFileSync(
  specPath,
  readFileSync(specPath, 'utf8').replace('__TODAY__', new Date().toISOString().slice(0, 10)),
);

const git = (...args) => {
  const r = spawnSync('git', args, { cwd: repo, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
git('init', '-q', '-b', 'main');
git('config', 'user.name', 'alice');
git('config', 'user.email', 'alice@example.com');
git('config', 'commit.gpgsign', 'false');
git('add', '-A');
git('commit', '-q', '-m', 'slug-demo: a small library with a failing test');

const server = await startModelServer({ scenario: join(root, 'examples/demo/scenario.yaml') });
const env = {
  ...process.env,
  // the built-in agent talks to the embedded model server; no key or network needed
  CXO_BUILTIN_BASE_URL: server.url,
  CXO_BUILTIN_MODEL: 'demo-model',
};
// asynchronous: the model server answers from this very process while the CLI runs
const cxo = async (...args) => {
  console.log(`$ cxo ${args.join(' ')}`);
  const code = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: repo, env, stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (status) => resolve(status ?? 1));
  });
  if (code !== 0)
    throw new Error(`cxo ${args[0]} failed (exit ${code}); the demo repository is kept at ${repo}`);
};

try {
  console.log(`demo repository: ${repo} (a copy of examples/demo/project)`);
  console.log(`model: the scripted model server at ${server.url} (examples/demo/scenario.yaml)`);

  step('bob approves the spec (its current content is signed)');
  await cxo('spec', 'approve', 'slugify', '--by', 'bob', '--commit');

  step('alice requests the task');
  await cxo('request', 'collapse-dashes', '--commit');

  step('the spec guard: fresh and approved, so the task may run');
  await cxo('guard');
  await cxo('tasks', 'next');

  step('the run: manager plans, builder edits, acceptance tests, reviewer reviews');
  await cxo('run', 'collapse-dashes');

  step('carol reviews the evidence and approves; the run branch is merged');
  await cxo('verify');
  await cxo(
    'review',
    'collapse-dashes',
    '--approve',
    '--by',
    'carol',
    '-m',
    'Reads well; the tests cover it.',
    '--merge',
  );

  const index = JSON.parse(readFileSync(join(repo, 'codex.tasks.json'), 'utf8'));
  const status = index.tasks[0].status;
  step('where everything is');
  console.log(`task collapse-dashes: ${status.phase}`);
  console.log(`manifest: ${join(repo, status.lastRun.manifest)}`);
  console.log(
    `checklist: ${readFileSync(join(repo, 'tasks/tasks-0001-slugs.md'), 'utf8').split('\n')[3].trim()}`,
  );
  console.log(`commits (git -C ${repo} log --oneline):`);
  console.log(git('log', '--oneline', '-8').trimEnd().replace(/^/gm, '  '));
  console.log(`model requests served: ${server.requests.length}`);
} catch (e) {
  console.error(`\n${e.message}`);
  process.exitCode = 1;
} finally {
  await server.close();
}
if (process.exitCode) process.exit();
if (!process.argv.includes('--keep') && process.env.CXO_DEMO_KEEP !== '1') {
  console.log(`\n(the demo repository is removed; run with --keep to look around in it)`);
  rmSync(repo, { recursive: true, force: true });
}
