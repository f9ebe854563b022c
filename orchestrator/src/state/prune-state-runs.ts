import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../repo/config.js';
import { storedPathOf } from '../runs/artifact-store.js';
import type { GcRun } from '../runs/gc-runs.js';
import { PRUNED } from '../runs/pruned-record.js';
import { dropEvidence } from './evidence-ref.js';
import { stateRunDirOf } from './state-layout.js';
import { StateRef, type StateWrite } from './state-ref.js';
import { recordRunSynced } from './state-runs.js';

/**
 * Carries a gc of `.runs/` (pruneRunFiles, done first) to the state ref: one update removes the
 * pruned files from each run's folder there and adds its pruned.json, the manifests untouched;
 * then each run's evidence ref goes, here and on the remote. Runs the state ref does not have are
 * left out. Returns the state commit, when one was made.
 */
export async function pruneStateRuns(
  root: string,
  config: Config,
  runs: GcRun[],
): Promise<string | undefined> {
  const state = StateRef.open(root, config);
  const onState: GcRun[] = [];
  const update = await state.update(`gc: prune the artifacts of ${runs.length} run(s)`, (snapshot) => {
    onState.length = 0;
    const writes: StateWrite[] = [];
    for (const run of runs) {
      const folder = stateRunDirOf(run.taskId, run.runId);
      if (!snapshot.treeOf(folder)) continue;
      onState.push(run);
      for (const a of run.artifacts) {
        const rel = a.path.slice(run.dir.length + 1);
        writes.push({ path: `${folder}/${rel}`, content: null });
        writes.push({ path: `${folder}/${storedPathOf({ path: rel, encoding: 'gzip' })}`, content: null });
      }
      writes.push({ path: `${folder}/${PRUNED}`, content: readFileSync(join(root, run.dir, PRUNED)) });
    }
    return writes;
  });
  for (const run of runs) await dropEvidence(root, run.taskId, run.runId, state.remote);
  if (update.commit) for (const run of onState) recordRunSynced(root, update.commit, run.taskId, run.runId);
  return update.changed ? update.commit : undefined;
}
