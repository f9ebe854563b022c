import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDirOf } from '../runs/run-layout.js';
import { stateRunDirOf } from './state-layout.js';
import type { StateWrite } from './state-ref.js';

/**
 * The writes that put a run's evidence on the state ref: every file of its local run directory
 * (`.runs/<task>/<run>/`) at the same relative path under the run's folder on the state ref
 * (`runs/<shard>/<task>/<run>/`), so the manifest's artifact paths and hashes stay valid.
 */
export function runEvidenceWrites(root: string, taskId: string, runId: string): StateWrite[] {
  const local = runDirOf(taskId, runId);
  const target = stateRunDirOf(taskId, runId);
  const writes: StateWrite[] = [];
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(root, local, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      // symlinks and special files are never evidence (an agent could plant one)
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile())
        writes.push({ path: `${target}/${path}`, content: readFileSync(join(root, local, path)) });
    }
  };
  walk('');
  return writes;
}
