#!/usr/bin/env node
// Entry point. `--version` is answered before anything else is loaded: it is the start-up floor.
const argv = process.argv.slice(2);
// `cxo ... | head`: a reader that stops early is not an error, as for any Unix tool
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(process.exitCode ?? 0);
  });
}
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  const { VERSION } = await import('../generated/version.js');
  process.stdout.write(`${VERSION}\n`);
} else {
  const { run } = await import('./run.js');
  process.exitCode = await run(argv, {
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: process.cwd(),
    env: process.env,
  });
}
