import { UsageError } from '../errors.js';
import type { OptionValue, PatternEntry } from './pattern-types.js';

/**
 * The options a pattern runs with: its defaults, overridden by `KEY=VALUE` pairs (from
 * `--option` or the builder's `pattern:<id> KEY=VALUE`), each converted to the declared type.
 */
export function resolveOptions(
  pattern: PatternEntry,
  pairs: readonly string[] | Record<string, OptionValue> = [],
): Record<string, OptionValue> {
  const declared = pattern.options ?? {};
  const out: Record<string, OptionValue> = {};
  for (const [key, option] of Object.entries(declared))
    if (option.default !== undefined) out[key] = option.default;
  const given = Array.isArray(pairs) ? pairs.map(splitPair) : Object.entries(pairs);
  for (const [key, raw] of given) {
    const option = declared[key];
    if (!option) {
      const known = Object.keys(declared);
      throw new UsageError(
        `pattern ${pattern.id} has no option "${key}"`,
        known.length ? `its options: ${known.join(', ')}` : 'it takes no options',
      );
    }
    out[key] = convert(pattern.id, key, option.type, raw);
  }
  return out;
}

function splitPair(pair: string): [string, string] {
  const eq = pair.indexOf('=');
  if (eq <= 0) throw new UsageError(`option "${pair}" must be KEY=VALUE`, 'e.g. --option logger=log');
  return [pair.slice(0, eq), pair.slice(eq + 1)];
}

function convert(id: string, key: string, type: string, raw: OptionValue): OptionValue {
  if (typeof raw !== 'string' || type === 'string') {
    if (typeof raw === type) return raw;
    throw new UsageError(`option ${key} of pattern ${id} must be a ${type}, found ${JSON.stringify(raw)}`);
  }
  if (type === 'boolean' && (raw === 'true' || raw === 'false')) return raw === 'true';
  if (type === 'number' && raw.trim() !== '' && Number.isFinite(Number(raw))) return Number(raw);
  throw new UsageError(`option ${key} of pattern ${id} must be a ${type}, found ${JSON.stringify(raw)}`);
}
