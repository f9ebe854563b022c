import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { installedLibraryDir } from './library-dir.js';

/**
 * A template of the library (patterns/templates/NAME) with each `{{key}}` replaced by its value.
 * Values are inserted as they are, never rescanned; a placeholder without a value is a bug.
 */
export function renderTemplate(name: string, values: Record<string, string> = {}): string {
  const text = readFileSync(join(installedLibraryDir(), 'templates', name), 'utf8');
  return fillTemplate(text, values, name);
}

export function fillTemplate(text: string, values: Record<string, string>, name = 'template'): string {
  return text.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, key: string) => {
    if (!Object.hasOwn(values, key)) throw new Error(`${name}: no value for {{${key}}}`);
    return values[key];
  });
}
