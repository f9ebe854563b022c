import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Stats } from 'node:fs';
import { z } from 'zod';

export type { Stats };
export { EventEmitter } from 'node:events';

export async function loadSchema(dir: string) {
  const { createHash } = await import('node:crypto');
  const text = await readFile(path.join(dir, 'schema.json'), 'utf8');
  return { hash: createHash('sha256').update(text).digest('hex'), schema: z.string().parse(text) };
}
