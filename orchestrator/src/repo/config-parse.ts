import { validateConfig } from '../generated/validators.js';
import { type Config, defaultConfig } from './config.js';
import type { Diagnostic } from './diagnostics.js';
import { ownValue } from './own-property.js';
import { parseYamlBlock } from './front-matter.js';
import { validateWithSchema } from './schema-validation.js';
import type { SourceText } from './source-text.js';

/** Parses codex.config.yaml and lays it over the defaults; invalid regexes in redaction are errors too. */
export function parseConfig(source: SourceText): { config?: Config; diagnostics: Diagnostic[] } {
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
  return { config: mergeDeep(defaultConfig(), data) as Config, diagnostics };
}

function mergeDeep(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (isPlainObject(base) && isPlainObject(over)) {
    // entries, not assignment: a key named `__proto__` stays a plain (ignored) field
    const merged = Object.entries(over).map(([k, v]) => [k, mergeDeep(ownValue(base, k), v)] as const);
    return Object.fromEntries([...Object.entries(base), ...merged]);
  }
  return over;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
