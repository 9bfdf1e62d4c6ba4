import { type PathSegment, parseJsonPath } from './json-path.js';

/** A smoke test as written in the config: "GET /", "/health", "POST /api/items 201", or an object. */
export type SmokeSpecInput =
  | string
  | {
      path: string;
      method?: string;
      status?: number | number[] | null;
      contains?: string | null;
      /** Response headers (name, case-insensitive) whose value must contain the text. */
      headers?: Record<string, string> | null;
      /** A value in the JSON body: present (not null), or equal to `equals`. */
      json?: { path: string; equals?: string | number | boolean | null } | null;
    };

export interface SmokeSpec {
  method: string;
  path: string;
  /** Accepted statuses; empty means any 2xx or 3xx. */
  status: number[];
  contains?: string;
  headers?: Record<string, string>;
  json?: { path: string; segments: PathSegment[]; equals?: string | number | boolean | null };
  /** How the spec reads in reports, e.g. "GET /api/items". */
  label: string;
}

const METHOD = /^[A-Za-z]+$/;

/** Normalises one spec. Throws a plain Error naming the problem; the config layer validates first. */
export function parseSmokeSpec(input: SmokeSpecInput): SmokeSpec {
  if (typeof input === 'string') {
    const words = input.trim().split(/\s+/);
    const method = words[0] && METHOD.test(words[0]) ? words.shift()!.toUpperCase() : 'GET';
    const path = words.shift();
    const status = words.map((w) => Number(w));
    if (!path || !path.startsWith('/') || status.some((s) => !Number.isInteger(s) || s < 100 || s > 599)) {
      throw new Error(`smoke test "${input}": expected "METHOD /path [status]"`);
    }
    return { method, path, status, label: `${method} ${path}` };
  }
  const method = (input.method ?? 'GET').toUpperCase();
  if (!input.path?.startsWith('/')) throw new Error(`smoke test path "${input.path}": must start with "/"`);
  const status = input.status == null ? [] : Array.isArray(input.status) ? input.status : [input.status];
  const spec: SmokeSpec = { method, path: input.path, status, label: `${method} ${input.path}` };
  if (input.contains != null) spec.contains = input.contains;
  if (input.headers) spec.headers = input.headers;
  if (input.json) {
    const segments = parseJsonPath(input.json.path);
    if (!segments) throw new Error(`smoke test json.path "${input.json.path}": expected a path like $.items[0].id`);
    spec.json = { path: input.json.path, segments, ...(input.json.equals !== undefined ? { equals: input.json.equals } : {}) };
  }
  return spec;
}

export function statusAccepted(spec: SmokeSpec, status: number): boolean {
  return spec.status.length > 0 ? spec.status.includes(status) : status >= 200 && status < 400;
}

export function describeExpected(spec: SmokeSpec): string {
  return spec.status.length > 0 ? spec.status.join(' or ') : '2xx/3xx';
}
