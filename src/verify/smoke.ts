import type { PostCheckResult } from '../contracts/summary.js';
import { FETCH_DEFAULT_HEADERS, type HttpAnswer, httpRequest } from './http-request.js';
import { valueAt } from './json-path.js';
import { describeRequestError } from './request-error.js';
import { type SmokeSpec, type SmokeSpecInput, describeExpected, parseSmokeSpec, statusAccepted } from './smoke-spec.js';

export interface SmokeOptions {
  /** Per-request limit, covering the body too. */
  timeoutMs: number;
  /** Sent with every request, e.g. a cookie that pins a canary. */
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface SmokeOutcome {
  spec: string;
  ok: boolean;
  status: number | null;
  durationMs: number;
  reason?: string;
}

export interface SmokeResult {
  passed: number;
  total: number;
  failures: Array<{ spec: string; reason: string }>;
  outcomes: SmokeOutcome[];
}

/** Runs every smoke test against `baseUrl` at once; each one gets its own timeout. Redirects are not followed. */
export async function runSmoke(baseUrl: string, specs: SmokeSpecInput[], options: SmokeOptions): Promise<SmokeResult> {
  const parsed = specs.map(parseSmokeSpec);
  const outcomes = await Promise.all(parsed.map((spec) => runOne(baseUrl, spec, options)));
  return {
    passed: outcomes.filter((o) => o.ok).length,
    total: outcomes.length,
    failures: outcomes.filter((o) => !o.ok).map((o) => ({ spec: o.spec, reason: o.reason ?? 'failed' })),
    outcomes,
  };
}

async function runOne(baseUrl: string, spec: SmokeSpec, options: SmokeOptions): Promise<SmokeOutcome> {
  const started = performance.now();
  const outcome = (ok: boolean, status: number | null, reason?: string): SmokeOutcome => ({
    spec: spec.label,
    ok,
    status,
    durationMs: Math.round(performance.now() - started),
    ...(reason ? { reason } : {}),
  });
  try {
    const response = await httpRequest(new URL(spec.path, baseUrl), {
      method: spec.method,
      headers: { ...FETCH_DEFAULT_HEADERS, 'user-agent': 'shipgate-smoke', ...options.headers },
      timeoutMs: options.timeoutMs,
      signal: options.signal,
    });
    const body = response.body;
    if (!statusAccepted(spec, response.status)) {
      return outcome(false, response.status, `expected ${describeExpected(spec)}, got ${response.status}`);
    }
    if (spec.contains !== undefined && !body.includes(spec.contains)) {
      return outcome(false, response.status, `body does not contain ${JSON.stringify(spec.contains)}`);
    }
    const problem = headerProblem(spec, response.header) ?? jsonProblem(spec, body);
    if (problem) return outcome(false, response.status, problem);
    return outcome(true, response.status);
  } catch (error) {
    return outcome(false, null, describeRequestError(error, options.timeoutMs));
  }
}

function headerProblem(spec: SmokeSpec, header: HttpAnswer['header']): string | null {
  for (const [name, expected] of Object.entries(spec.headers ?? {})) {
    const value = header(name);
    if (value === null) return `no ${name} header`;
    if (!value.includes(expected)) return `${name} is ${JSON.stringify(value)}, expected it to contain ${JSON.stringify(expected)}`;
  }
  return null;
}

function jsonProblem(spec: SmokeSpec, body: string): string | null {
  if (!spec.json) return null;
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch {
    return `body is not JSON (for ${spec.json.path})`;
  }
  const value = valueAt(document, spec.json.segments);
  if (spec.json.equals === undefined) return value === undefined || value === null ? `${spec.json.path} is missing` : null;
  if (value === spec.json.equals) return null;
  return `${spec.json.path} is ${value === undefined ? 'missing' : JSON.stringify(value)}, expected ${JSON.stringify(spec.json.equals)}`;
}

/** The summary line: "Smoke Tests: 8/8 passing". No smoke tests is a failure, like any gate without samples. */
export function smokeCheckResult(result: SmokeResult, name = 'Smoke Tests'): PostCheckResult {
  const first = result.failures[0];
  const detail = first ? ` (${first.spec}: ${first.reason}${result.failures.length > 1 ? `; +${result.failures.length - 1} more` : ''})` : '';
  return {
    name,
    ok: result.total > 0 && result.passed === result.total,
    value: result.total === 0 ? 'no smoke tests configured' : `${result.passed}/${result.total} passing${detail}`,
    threshold: 'all passing',
  };
}
