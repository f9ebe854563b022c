import { readFile } from 'node:fs/promises';

export async function loadSettings(path: string): Promise<Record<string, unknown>> {
  console.log('loading settings from', path);
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    console.error('cannot read settings', err);
    console.debug({ path });
    return {};
  }
}

// a table is for people at a terminal: it stays
export const dump = (rows: object[]) => console.table(rows);
