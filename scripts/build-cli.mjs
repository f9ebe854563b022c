// Bundles the CLI (dist/cli/main.js, from tsc) into dist/bin/: an entry plus one chunk per lazily
// loaded command and dependency group. One file per chunk instead of hundreds of modules to
// resolve and compile halves read commands' start-up (docs/benchmarks.md). The metafile
// (dist/bin/meta.json) says which sources each chunk holds; the start-up test reads it.
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { assertSelfContained, bundleOptions } from './esbuild-options.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = join(root, 'dist/bin');
await rm(outdir, { recursive: true, force: true });
const result = await build({
  ...bundleOptions('scripts/build-cli.mjs (npm run build)'),
  absWorkingDir: root,
  entryPoints: { cxo: join(root, 'dist/cli/main.js') },
  outdir,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  write: true,
});
assertSelfContained(
  result,
  await Promise.all(
    Object.keys(result.metafile.outputs).map((f) =>
      import('node:fs/promises').then((fs) => fs.readFile(join(root, f), 'utf8')),
    ),
  ),
);
await mkdir(outdir, { recursive: true });
await writeFile(join(outdir, 'meta.json'), JSON.stringify(result.metafile));
await chmod(join(outdir, 'cxo.js'), 0o755);
