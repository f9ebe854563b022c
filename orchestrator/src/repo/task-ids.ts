import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case

/**
 * A readable id from the title plus five random base32 characters (32^5 = 33.5 million), so two
 * branches that add tasks at the same moment do not pick the same id (unlike sequential numbers).
 */
export function generateTaskId(title: string, taken: (id: string) => boolean): string {
  const slug =
    title
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, ' ')
      .trim()
      .split(' ')
      .filter(Boolean)
      .slice(0, 5)
      .join('-')
      .slice(0, 40)
      .replace(/-+$/, '') || 'task';
  for (;;) {
    const bytes = randomBytes(5);
    let suffix = '';
    for (const b of bytes) suffix += ALPHABET[b & 31];
    const id = `${slug}-${suffix}`;
    if (!taken(id)) return id;
  }
}
