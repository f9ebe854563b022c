import { createHash } from 'node:crypto';
import { canonicalJson } from '../repo/canonical-json.js';
import type { RunManifest } from './manifest-types.js';

/**
 * What a sign-off signs: the sha256 of the manifest's canonical JSON without its `signoffs`, so
 * later sign-offs do not invalidate earlier ones but any other change to the manifest does.
 */
export function manifestDigest(manifest: RunManifest): string {
  const { signoffs: _signoffs, ...signed } = manifest;
  return createHash('sha256').update(canonicalJson(signed)).digest('hex');
}
