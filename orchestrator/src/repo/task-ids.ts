import { slugOf } from './slug.js';
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case

/**
 * A readable id from the title plus five random base32 characters (32^5 = 33.5 million), so two
 * branches that add tasks at the same moment do not pick the same id (unlike sequential numbers).
 */
export function generateTaskId(title: string, taken: (id: string) => boolean): string {
  const slug = slugOf(title, { words: 5, chars: 40, fallback: 'task' });
  for (;;) {
    const bytes = randomBytes(5);
    let suffix = '';
    for (const b of bytes) suffix += ALPHABET[b & 31];
    const id = `${slug}-${suffix}`;
    if (!taken(id)) return id;
  }
}
