/**
 * The tiny helper apps import to read their feature flags (`import { flagsFrom } from 'shipgate/flags'`).
 * The router evaluates the flags for each request and forwards the ones that are on in one header;
 * any language can read it: `x-shipgate-flags: new-checkout,dark-mode` (empty when none is on).
 */
export const FLAGS_HEADER = 'x-shipgate-flags';

type HeaderBag = { headers: Record<string, string | string[] | undefined> } | { headers: { get(name: string): string | null } };

/** The set of flags that are on for this request (node's IncomingMessage, or a fetch Request). */
export function flagsFrom(request: HeaderBag): Set<string> {
  const headers = request.headers as { get?: (name: string) => string | null } & Record<string, unknown>;
  const raw = typeof headers.get === 'function' ? headers.get(FLAGS_HEADER) : (headers[FLAGS_HEADER] as string | string[] | undefined);
  const value = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
  return new Set(value.split(',').map((name) => name.trim()).filter(Boolean));
}

export function isEnabled(request: HeaderBag, flag: string): boolean {
  return flagsFrom(request).has(flag);
}
