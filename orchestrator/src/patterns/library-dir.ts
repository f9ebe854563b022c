import { join } from 'node:path';
import { packageRoot } from '../util/package-root.js';

/** The `patterns/` directory shipped with this package. */
export function installedLibraryDir(): string {
  const root = packageRoot();
  if (!root)
    throw new Error(
      'patterns/index.json not found: the codex-orchestrator package root is not above this module',
    );
  return join(root, 'patterns');
}
