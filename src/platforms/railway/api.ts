import { OPERATIONS, type OperationName } from './operations.js';
import { budgetSpent, retryDelayMs } from './rate-limit.js';
import { authHeaders, type RailwayToken } from './token.js';

export const DEFAULT_API_URL = 'https://backboard.railway.com/graphql/v2';

export type RailwayErrorKind = 'auth' | 'not-found' | 'graphql' | 'http' | 'rate-limit' | 'network';

/** A failed call to Railway's API. The message never holds the token. */
export class RailwayApiError extends Error {
  constructor(
    message: string,
    readonly kind: RailwayErrorKind,
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = 'RailwayApiError';
  }
}

export interface RailwayApiOptions {
  token: RailwayToken;
  /** GraphQL endpoint; uploads go to the same origin. DEPLOY_RAILWAY_API_URL overrides it (tests, proxies). */
  url?: string;
  fetch?: typeof fetch;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal;
  /** Longest single wait a rate limit may ask for before we give up instead. Default 60 s. */
  maxRetryWaitMs?: number;
  /** Attempts per request on 429 and 5xx/network errors. Default 5. */
  maxAttempts?: number;
  requestTimeoutMs?: number;
  /** Told about each wait, e.g. to show "rate limited, waiting 2s". */
  onWait?: (ms: number, reason: string) => void;
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: Array<{ message?: string }>;
}

/** Railway's public GraphQL API and its upload endpoint, with rate limits respected. Talks only over fetch. */
export class RailwayApi {
  readonly url: string;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private notBefore = 0;

  constructor(private readonly options: RailwayApiOptions) {
    this.url = options.url ?? DEFAULT_API_URL;
    this.fetchImpl = options.fetch ?? fetch;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
  }

  /** Runs one of OPERATIONS with its variables and returns `data`; GraphQL errors become RailwayApiError. */
  async query<T>(name: OperationName, variables: Record<string, unknown> = {}): Promise<T> {
    const body = JSON.stringify({ query: OPERATIONS[name], variables });
    const response = await this.send(this.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body }, name);
    const text = await response.text();
    let parsed: GraphQLResponse<T>;
    try {
      parsed = JSON.parse(text) as GraphQLResponse<T>;
    } catch {
      throw new RailwayApiError(`Railway answered ${name} with something that is not JSON (HTTP ${response.status})`, 'http', response.status);
    }
    if (parsed.errors?.length) throw classifyGraphQLError(name, parsed.errors.map((e) => e.message ?? 'error').join('; '));
    if (!parsed.data) throw new RailwayApiError(`Railway answered ${name} without data`, 'graphql');
    return parsed.data;
  }

  /** POST /project/{p}/environment/{e}/up?serviceId=… with a gzip tar of the source; returns Railway's JSON answer. */
  async upload(projectId: string, environmentId: string, serviceId: string, archive: Uint8Array): Promise<Record<string, unknown>> {
    const target = new URL(`/project/${encodeURIComponent(projectId)}/environment/${encodeURIComponent(environmentId)}/up`, this.url);
    target.searchParams.set('serviceId', serviceId);
    const response = await this.send(target.toString(), { method: 'POST', headers: { 'content-type': 'application/gzip' }, body: archive as unknown as BodyInit }, 'upload');
    const text = await response.text();
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch {
      return {};
    }
  }

  private async send(url: string, init: RequestInit, what: string): Promise<Response> {
    const maxAttempts = this.options.maxAttempts ?? 5;
    const cap = this.options.maxRetryWaitMs ?? 60_000;
    for (let attempt = 1; ; attempt++) {
      await this.waitUntil(this.notBefore, 'rate limit budget spent');
      let response: Response;
      try {
        const timeout = AbortSignal.timeout(this.options.requestTimeoutMs ?? 30_000);
        const signal = this.options.signal ? AbortSignal.any([timeout, this.options.signal]) : timeout;
        // The token goes to the configured origin only: a redirect is an error, never followed with the token on it.
        response = await this.fetchImpl(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), ...authHeaders(this.options.token), 'user-agent': 'shipgate' }, signal });
      } catch (error) {
        if (this.options.signal?.aborted) throw new RailwayApiError(`${what}: interrupted`, 'network');
        if (attempt >= maxAttempts) throw new RailwayApiError(`${what}: Railway API unreachable (${networkReason(error)})`, 'network');
        await this.waitUntil(this.now() + backoff(attempt), 'network error');
        continue;
      }
      if (budgetSpent(response.headers)) {
        const wait = retryDelayMs(response.headers, this.now());
        if (wait !== null) this.notBefore = this.now() + Math.min(wait, cap);
      }
      if (response.status === 429) {
        await response.body?.cancel().catch(() => undefined);
        const wait = retryDelayMs(response.headers, this.now()) ?? backoff(attempt);
        if (wait > cap) throw new RailwayApiError(`${what}: rate limited by Railway for ${Math.ceil(wait / 1000)}s (more than we wait); try again later`, 'rate-limit', 429);
        if (attempt >= maxAttempts) throw new RailwayApiError(`${what}: still rate limited by Railway after ${attempt} attempts`, 'rate-limit', 429);
        await this.waitUntil(this.now() + wait, 'rate limited (429)');
        continue;
      }
      if (response.status >= 300 && response.status < 400) {
        await response.body?.cancel().catch(() => undefined);
        throw new RailwayApiError(`${what}: Railway answered a redirect (HTTP ${response.status}) to ${redirectTarget(response, url)}; not followed, so the token is not sent there`, 'http', response.status);
      }
      if (response.status === 401 || response.status === 403) {
        await response.body?.cancel().catch(() => undefined);
        throw new RailwayApiError(`${what}: Railway refused the token (HTTP ${response.status})`, 'auth', response.status);
      }
      if (response.status >= 500 && attempt < maxAttempts) {
        await response.body?.cancel().catch(() => undefined);
        await this.waitUntil(this.now() + backoff(attempt), `HTTP ${response.status}`);
        continue;
      }
      // 400 carries GraphQL validation errors in its JSON body; query() reads them.
      if (response.status > 400) {
        const detail = (await response.text().catch(() => '')).slice(0, 200).replace(/\s+/g, ' ').trim();
        throw new RailwayApiError(`${what}: Railway answered HTTP ${response.status}${detail ? ` (${detail})` : ''}`, response.status === 404 ? 'not-found' : 'http', response.status);
      }
      return response;
    }
  }

  private async waitUntil(at: number, reason: string): Promise<void> {
    const ms = at - this.now();
    if (ms <= 0) return;
    this.options.onWait?.(ms, reason);
    await this.sleep(ms, this.options.signal);
    if (this.options.signal?.aborted) throw new RailwayApiError('interrupted while waiting on Railway\'s rate limit', 'network');
  }
}

function classifyGraphQLError(name: string, message: string): RailwayApiError {
  if (/not authori[sz]ed|unauthori[sz]ed|invalid (project )?token|authentication/i.test(message)) return new RailwayApiError(`${name}: Railway refused the token (${message})`, 'auth');
  if (/not found|does not exist/i.test(message)) return new RailwayApiError(`${name}: ${message}`, 'not-found');
  return new RailwayApiError(`${name}: ${message}`, 'graphql');
}

function backoff(attempt: number): number {
  return Math.min(8_000, 250 * 2 ** (attempt - 1));
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** The API client for a run: token from the environment, URL from DEPLOY_RAILWAY_API_URL when set. */
export function apiFromEnv(token: RailwayToken, extra: Partial<RailwayApiOptions> = {}, env: NodeJS.ProcessEnv = process.env): RailwayApi {
  const url = env.DEPLOY_RAILWAY_API_URL?.trim() || DEFAULT_API_URL;
  const maxWait = Number(env.DEPLOY_RAILWAY_MAX_RETRY_WAIT_MS);
  return new RailwayApi({ token, url, ...(Number.isFinite(maxWait) && maxWait > 0 ? { maxRetryWaitMs: maxWait } : {}), ...extra });
}

/** Where a redirect points, as scheme, host and path (no query: it could carry anything). */
function redirectTarget(response: Response, from: string): string {
  const location = response.headers.get('location');
  if (!location) return '(no Location header)';
  try {
    const target = new URL(location, from);
    return `${target.origin}${target.pathname}`;
  } catch {
    return '(an invalid Location)';
  }
}
