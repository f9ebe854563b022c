import picomatch from 'picomatch';
import type { Config } from '../../repo/config.js';
import { diagnostic } from '../../repo/diagnostics.js';
import type { SpecDoc } from '../../repo/markdown-docs.js';
import { type Violation, violation } from '../types.js';

/** One entry of `git diff --name-status`: a rename counts for its old and its new path. */
export interface ChangedFile {
  status: 'A' | 'M' | 'D' | 'R' | 'C' | 'T';
  path: string;
  oldPath?: string;
}

/**
 * Rule `diff-coverage`: code matched by a spec's `covers` changes only together with that spec
 * (an edit, or a review bump, in the same range); code under the governed roots that no spec
 * covers is a violation. Renames count for both paths, deletions for the deleted path.
 */
export function diffCoverageRule(
  changes: readonly ChangedFile[],
  specs: Map<string, SpecDoc>,
  config: Config,
): Violation[] {
  const changed = new Set<string>();
  for (const c of changes) {
    changed.add(c.path);
    if (c.oldPath) changed.add(c.oldPath);
  }
  const managed = picomatch(
    [config.files.tasks, ...config.files.specs, ...config.files.prds, ...config.files.checklists],
    { dot: true },
  );
  const governed =
    config.files.governed_roots.length > 0
      ? picomatch(config.files.governed_roots, { dot: true })
      : () => false;
  const coverage = [...specs.values()]
    .filter((s) => s.fields.status !== 'superseded' && (s.fields.covers?.length ?? 0) > 0)
    .map((s) => ({ spec: s, matches: picomatch(s.fields.covers!, { dot: true }) }));
  const found: Violation[] = [];
  for (const path of [...changed].sort()) {
    if (managed(path) || specs.has(path) || path.startsWith('.runs/')) continue;
    const covering = coverage.filter((c) => c.matches(path));
    for (const { spec } of covering) {
      if (changed.has(spec.file)) continue;
      found.push(
        violation(
          'diff-coverage',
          diagnostic(
            'error',
            'diff-coverage',
            `${path} changed, but spec "${spec.fields.id}" (${spec.file}), which covers it, did not`,
            { file: path },
            {
              hint: `update ${spec.file} in the same change, or re-read it and run \`cxo spec review ${spec.fields.id}\``,
            },
          ),
          { spec: spec.fields.id },
        ),
      );
    }
    if (covering.length === 0 && governed(path)) {
      found.push(
        violation(
          'diff-coverage',
          diagnostic(
            'error',
            'diff-coverage',
            `${path} changed under the governed roots, but no spec covers it`,
            { file: path },
            {
              hint: "add a glob matching it to a spec's covers (`cxo spec new --covers ...`)",
            },
          ),
        ),
      );
    }
  }
  return found;
}
