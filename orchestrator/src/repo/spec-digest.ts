import { hash } from 'node:crypto';
import type { SpecFields } from './spec-types.js';

/** The front matter fields an approval vouches for; review dates, status and approvals are not among them. */
export const GOVERNING_FIELDS = ['id', 'title', 'risk', 'owners', 'covers', 'relates_to'] as const;

/**
 * The digest an approval signs: sha256 over the governing fields and the body with all
 * whitespace runs folded, so re-wrapping or re-indenting prose does not invalidate an approval
 * but any change of words does.
 */
export function specDigest(fields: Partial<SpecFields>, body: string): string {
  const governing: Record<string, unknown> = {};
  for (const key of GOVERNING_FIELDS) if (fields[key] !== undefined) governing[key] = fields[key];
  const normalisedBody = body.replace(/\s+/g, ' ').trim();
  const canonical = JSON.stringify({ fields: governing, body: normalisedBody });
  return `sha256:${hash('sha256', canonical, 'hex')}`;
}
