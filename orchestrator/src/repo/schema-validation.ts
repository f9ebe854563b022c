import type { Diagnostic } from './diagnostics.js';
import type { JsonPath } from './json-document.js';

/** The shape of an Ajv validation error, as the precompiled validators report it. */
export interface SchemaError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

export interface CompiledValidator {
  (data: unknown): boolean;
  errors?: SchemaError[] | null;
}

/** Builds a diagnostic at a path in the document being validated (JSON or YAML front matter). */
export type Locate = (
  path: JsonPath,
  severity: Diagnostic['severity'],
  code: string,
  message: string,
  hint?: string,
  part?: 'key' | 'value',
) => Diagnostic;

/**
 * Validates `data` and turns every schema error into a diagnostic at the right line and column.
 * Unknown fields are warnings (a newer version may know them); everything else is an error.
 */
export function validateWithSchema(validate: CompiledValidator, data: unknown, locate: Locate): Diagnostic[] {
  if (validate(data)) return [];
  const found: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const error of validate.errors ?? []) {
    const path = pointerToPath(error.instancePath);
    const d = describe(error, path, data, locate);
    if (!d) continue;
    const key = `${d.line}:${d.column}:${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    found.push(d);
  }
  return found;
}

function describe(error: SchemaError, path: JsonPath, data: unknown, locate: Locate): Diagnostic | undefined {
  const name = fieldName(path);
  const value = valueAt(data, path);
  switch (error.keyword) {
    case 'additionalProperties': {
      const extra = String(error.params.additionalProperty);
      return locate(
        [...path, extra],
        'warning',
        'unknown-field',
        `unknown field "${extra}"${path.length ? ` in ${name}` : ''}; it is ignored`,
        'check the spelling; the schema lists the known fields',
        'key',
      );
    }
    case 'required':
      return locate(
        path,
        'error',
        'schema',
        `${name} is missing required field "${error.params.missingProperty}"`,
      );
    case 'type':
      return locate(
        path,
        'error',
        'schema',
        `${name} must be ${article(String(error.params.type))}, found ${typeOf(value)}`,
      );
    case 'enum':
      return locate(
        path,
        'error',
        'schema',
        `${name} must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}; found ${JSON.stringify(value)}`,
      );
    case 'const':
      return locate(
        path,
        'error',
        'schema',
        `${name} must be ${JSON.stringify(error.params.allowedValue)}; found ${JSON.stringify(value)}`,
      );
    case 'format':
      if (error.params.format === 'date') {
        return locate(
          path,
          'error',
          'invalid-date',
          `${name} ${JSON.stringify(value)} is not a real calendar date`,
          'use YYYY-MM-DD with a day that exists in that month (UTC)',
        );
      }
      return locate(
        path,
        'error',
        'schema',
        `${name} ${JSON.stringify(value)} must be a valid ${error.params.format}`,
      );
    case 'pattern':
      return locate(
        path,
        'error',
        'schema',
        `${name} ${JSON.stringify(value)} ${patternMeaning(path, String(error.params.pattern))}`,
      );
    case 'minLength':
      return locate(path, 'error', 'schema', `${name} must not be empty`);
    case 'minItems':
      return locate(path, 'error', 'schema', `${name} must have at least ${error.params.limit} item(s)`);
    case 'minimum':
    case 'maximum':
      return locate(path, 'error', 'schema', `${name} ${error.message}; found ${JSON.stringify(value)}`);
    case 'uniqueItems':
      return locate(
        [...path, Number(error.params.i)],
        'error',
        'schema',
        `${name} lists ${JSON.stringify(valueAt(data, [...path, Number(error.params.i)]))} twice`,
      );
    case 'propertyNames':
      return locate(
        [...path, String(error.params.propertyName)],
        'error',
        'schema',
        `${name} has an unexpected key "${error.params.propertyName}"`,
        undefined,
        'key',
      );
    case 'if':
    case 'anyOf':
    case 'oneOf':
      return undefined;
    default:
      return locate(path, 'error', 'schema', `${name} ${error.message ?? 'is invalid'}`);
  }
}

function patternMeaning(path: JsonPath, pattern: string): string {
  const last = path[path.length - 1];
  if (last === 'id' || path[path.length - 2] === 'dependsOn') {
    return 'is not a valid id: use letters, digits, ".", "_" and "-", starting with a letter or digit (max 80)';
  }
  if (last === 'checklist') return 'must be a checklist item reference such as tasks/tasks-0001-auth.md#1.2';
  if (last === 'reason') return 'must be PascalCase, e.g. StaleSpec';
  if (last === 'digest') return 'must be "sha256:" followed by 64 lowercase hex digits';
  if (path.includes('agents')) return 'must be ADAPTER[:ARGUMENT], e.g. codex, none, command:make fix';
  return `must match ${pattern}`;
}

export function pointerToPath(pointer: string): JsonPath {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => {
      const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
      return /^\d+$/.test(key) ? Number(key) : key;
    });
}

function valueAt(data: unknown, path: JsonPath): unknown {
  let cur: unknown = data;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

function fieldName(path: JsonPath): string {
  if (path.length === 0) return 'the document';
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${key}` : key;
  return `"${out}"`;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}
