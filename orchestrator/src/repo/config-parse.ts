import { validateConfig } from '../generated/validators.js';
import { type Config, defaultConfig } from './config.js';
import type { Diagnostic } from './diagnostics.js';
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
  const patterns = ((data.redaction as { patterns?: unknown[] } | undefined)?.patterns ?? []) as unknown[];
  patterns.forEach((pattern, i) => {
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
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = mergeDeep(base[k], v);
    return out;
  }
  return over;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
