/**
 * Parsed files may use any key, including `constructor`, `toString` or `__proto__`: a lookup on
 * parsed data must see only the object's own properties, never Object.prototype's.
 */
export function ownValue(obj: unknown, key: string | number): unknown {
  return obj !== null && typeof obj === 'object' && Object.hasOwn(obj, key)
    ? (obj as Record<string | number, unknown>)[key]
    : undefined;
}
