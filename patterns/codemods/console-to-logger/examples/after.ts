import { readFile } from 'node:fs/promises';
import { logger } from './src/logger.js';

export async function loadSettings(path: string): Promise<Record<string, unknown>> {
  logger.info('loading settings from', path);
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    logger.error('cannot read settings', err);
    logger.debug({ path });
    return {};
  }
}

// a table is for people at a terminal: it stays
export const dump = (rows: object[]) => console.table(rows);
