import { isPlainObject } from './merge.js';

/** The result of replacing `${VAR}` in every string of a config value. Values are never logged. */
export interface Interpolated<T> {
  value: T;
  /** Names referenced but not set anywhere. */
  missing: string[];
  /** Values that came from variables; the redactor hides them in every output. */
  secrets: string[];
}

const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Replaces `${NAME}` from `vars`; `$${` stays a literal `${`. Unset names become "" and are reported. */
export function interpolate<T>(
  value: T,
  vars: Readonly<Record<string, string | undefined>>,
  publicNames: ReadonlySet<string> = new Set(),
): Interpolated<T> {
  const missing = new Set<string>();
  const secrets = new Set<string>();
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') {
      return node.replace(REFERENCE, (whole, name: string | undefined) => {
        if (name === undefined) return '${';
        const found = vars[name];
        if (found === undefined) {
          missing.add(name);
          return '';
        }
        if (!publicNames.has(name)) secrets.add(found);
        return found;
      });
    }
    if (Array.isArray(node)) return node.map(walk);
    if (isPlainObject(node)) return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v)]));
    return node;
  };
  return { value: walk(value) as T, missing: [...missing].sort(), secrets: [...secrets] };
}

export function references(text: string): string[] {
  return [...text.matchAll(REFERENCE)].flatMap((m) => (m[1] ? [m[1]] : []));
}
