import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../helpers/temp-repo.js';

const SRC = join(PROJECT_ROOT, 'orchestrator/src');
/** The pure core (docs/architecture.md, "Layout"): text in, values and diagnostics out. */
const PURE = ['repo', 'guard', 'plan'];
/** What the pure core may import besides itself: leaf helpers with no process, network or git. */
const ALLOWED = [/^util\//, /^generated\//, /^errors\.ts$/];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** The project modules a source file imports (static and dynamic), as paths relative to src/. */
function projectImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]);
  return specifiers.map((s) =>
    relative(SRC, resolve(dirname(file), s.replace(/\.js$/, '.ts')))
      .split(sep)
      .join('/'),
  );
}

describe('layering', () => {
  it('the pure core imports no adapter, runner, git, GitHub or CLI module', () => {
    const offences: string[] = [];
    for (const folder of PURE) {
      for (const file of sourceFiles(join(SRC, folder))) {
        const from = relative(SRC, file).split(sep).join('/');
        for (const target of projectImports(file)) {
          const inCore = PURE.some((p) => target.startsWith(`${p}/`));
          if (!inCore && !ALLOWED.some((a) => a.test(target))) offences.push(`${from} -> ${target}`);
        }
      }
    }
    expect(offences).toEqual([]);
  });
});
