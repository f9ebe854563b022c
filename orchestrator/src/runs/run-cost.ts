import type { RunManifest } from './manifest-types.js';

/** What a run cost as observed: the sum of its steps' `costUsd` (a step without one counts 0). */
export function runCostOf(manifest: Pick<RunManifest, 'steps'>): number {
  let usd = 0;
  for (const step of manifest.steps)
    if (typeof step.costUsd === 'number' && Number.isFinite(step.costUsd)) usd += step.costUsd;
  return usd;
}
