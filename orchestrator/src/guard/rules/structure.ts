import type { RepoModel } from '../../repo/load-repo.js';
import { type Violation, violation } from '../types.js';

/** Rule `structure`: everything `cxo validate` checks, as violations. */
export function structureRule(model: Pick<RepoModel, 'diagnostics'>): Violation[] {
  return model.diagnostics.map((d) => violation('structure', d));
}
