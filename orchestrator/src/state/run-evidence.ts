import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDirOf } from '../runs/run-layout.js';
import { MANIFEST } from '../runs/run-recorder.js';
import { pinEvidence } from './evidence-ref.js';
import { stateRunDirOf } from './state-layout.js';
import type { StateWrite } from './state-ref.js';

/**
 * The writes that put a run's evidence on the state ref: every file of its local run directory
 * (`.runs/<task>/<run>/`) at the same relative path under the run's folder on the state ref
 * (`runs/<shard>/<task>/<run>/`), so the manifest's artifact paths and hashes stay valid. A file
 * of `inlineMaxBytes` or more (never the manifest) is kept out of the state tree: it is pinned
 * under the run's evidence ref (evidence-ref.ts), pushed to `remote` first when the state is
 * shared.
 */
export async function runEvidenceWrites(
  root: string,
  taskId: string,
  runId: string,
  options: { inlineMaxBytes: number; remote: string | undefined },
): Promise<StateWrite[]> {
  const local = runDirOf(taskId, runId);
  const target = stateRunDirOf(taskId, runId);
  const writes: StateWrite[] = [];
  const large: { path: string; content: Buffer }[] = [];
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(root, local, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      // symlinks and special files are never evidence (an agent could plant one)
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) {
        const content = readFileSync(join(root, local, path));
        const outside = path !== MANIFEST && content.length >= options.inlineMaxBytes;
        if (outside) large.push({ path, content });
        // a file kept out of the tree removes the smaller copy an earlier write of the run put there
        writes.push({ path: `${target}/${path}`, content: outside ? null : content });
      }
    }
  };
  walk('');
  if (large.length > 0) await pinEvidence(root, taskId, runId, large, options.remote);
  return writes;
}
