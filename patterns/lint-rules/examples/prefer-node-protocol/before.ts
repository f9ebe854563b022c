import { readFile } from 'fs/promises';
import path from 'path';
import type { Stats } from 'fs';
import { z } from 'zod';

export type { Stats };
export { EventEmitter } from 'events';

export async function loadSchema(dir: string) {
  const { createHash } = await import('crypto');
  const text = await readFile(path.join(dir, 'schema.json'), 'utf8');
  return { hash: createHash('sha256').update(text).digest('hex'), schema: z.string().parse(text) };
}
