import { validateConfig } from '../generated/validators.js';
import { type Config, configOver } from './config.js';
import type { Diagnostic } from './diagnostics.js';
import { ownValue } from './own-property.js';
import { parseYamlBlock } from './front-matter.js';
import { validateWithSchema } from './schema-validation.js';
import type { SourceText } from './source-text.js';

/**
 * Parses codex.config.yaml and lays it over the defaults; invalid regexes in redaction are errors
 * too. `data` is the file's own value, checked (what the loader's cache keeps).
 */
export function parseConfig(source: SourceText): {
  config?: Config;
  data?: unknown;
  diagnostics: Diagnostic[];
} {
  const parsed = parseYamlBlock(source, {
    yamlStart: 0,
    yamlEnd: source.text.length,
    bodyStart: source.text.length,
  });
  if (!parsed.doc) return { diagnostics: parsed.diagnostics };
  const doc = parsed.doc;
  const diagnostics = [...parsed.diagnostics, ...validateWithSchema(validateConfig, doc.data, doc.locate)];
  const data = doc.data as Record<string, unknown>;
  const patterns = ownValue(ownValue(data, 'redaction'), 'patterns');
  (Array.isArray(patterns) ? patterns : []).forEach((pattern: unknown, i) => {
    if (typeof pattern !== 'string') return;
    try {
      new RegExp(pattern);
    } catch (e) {
      diagnostics.push(
        doc.locate(
          ['redaction', 'patterns', i],
          'error',
          'schema',
          `invalid regular expression: ${(e as Error).message}`,
        ),
      );
    }
  });
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  return { config: configOver(data), data, diagnostics };
}
