import type { Redactor } from '../exec/redact.js';

/** A copy of a JSON-like value with every string (object keys included) passed through the redactor. */
export function redactDeep<T>(value: T, redactor: Redactor): T {
  if (redactor.size === 0) return value;
  return walk(value, redactor) as T;
}

function walk(value: unknown, redactor: Redactor): unknown {
  if (typeof value === 'string') return redactor.redact(value);
  if (Array.isArray(value)) return value.map((v) => walk(v, redactor));
  if (value && typeof value === 'object' && (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [redactor.redact(k), walk(v, redactor)]));
  }
  return value;
}
