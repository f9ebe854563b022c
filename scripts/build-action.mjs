// Bundles the spec-guard GitHub Action (dist/action/main.js, from `npm run build`) and everything
// it imports into one ES module, action/dist/index.mjs, committed to the repository: GitHub runs
// `uses: OWNER/codex-orchestrator@v1` from a checkout that has no node_modules.
//
//   node scripts/build-action.mjs [OUTFILE]
//
// The output is deterministic (same sources and dependencies, same bytes), so a test rebuilds it
// into a temporary path and compares it with the committed file.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { assertSelfContained, bundleOptions } from './esbuild-options.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = resolve(process.argv[2] ?? join(root, 'action/dist/index.mjs'));

const result = await build({
  ...bundleOptions('scripts/build-action.mjs (npm run build:action)'),
  absWorkingDir: root,
  entryPoints: [join(root, 'dist/action/main.js')],
  outfile,
  write: false,
});
const [output] = result.outputFiles;
const inputs = Object.keys(result.metafile.inputs);
assertSelfContained(result, [output.text]);
await mkdir(dirname(outfile), { recursive: true });
await writeFile(outfile, output.contents);
console.log(`${outfile}: ${inputs.length} modules, ${(output.contents.byteLength / 1024).toFixed(0)} KiB`);
