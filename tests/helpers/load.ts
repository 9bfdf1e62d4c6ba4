import { Agent, request } from 'undici';

/**
 * A load generator for end-to-end deploy tests: keeps `concurrency` requests
 * going against one URL until stopped, `maxRequests` or `maxDurationMs`,
 * records which release answered (x-release) and every failure with its time,
 * so a test can count failures inside a window and prove there were none outside.
 */
export interface LoadOptions {
  concurrency?: number;
  maxRequests?: number;
  maxDurationMs?: number;
  /** Per-request timeout; a timeout counts as a failure. Default 5000. */
  timeoutMs?: number;
  headers?: Record<string, string>;
  /** Keep every request's record (time, status, release), not only failures. */
  recordAll?: boolean;
}

export interface LoadRecord {
  /** Date.now() when the request was sent and when it finished. */
  startedAt: number;
  endedAt: number;
  status: number | null;
  release: string | null;
  error?: string;
}

export interface LoadResult {
  total: number;
  ok: number;
  failed: number;
  byRelease: Record<string, number>;
  failures: LoadRecord[];
  /** Every request, when recordAll was set. */
  records: LoadRecord[];
  startedAt: number;
  endedAt: number;
}

export interface LoadHandle {
  /** Stops sending, waits for requests in flight, returns the tally. */
  stop(): Promise<LoadResult>;
  /** Resolves when the load ends by itself (count or duration reached) or after stop(). */
  done: Promise<LoadResult>;
  /** A live copy of the counters. */
  snapshot(): Pick<LoadResult, 'total' | 'ok' | 'failed' | 'byRelease'>;
  /** Resolves once at least `n` requests have finished (or the load ended). */
  waitFor(n: number): Promise<void>;
}

export function startLoad(url: string, options: LoadOptions = {}): LoadHandle {
  const concurrency = options.concurrency ?? 4;
  const maxRequests = options.maxRequests ?? 100_000;
  const maxDurationMs = options.maxDurationMs ?? 60_000;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const target = new URL(url);
  const agent = new Agent({ connections: concurrency, keepAliveTimeout: 10_000, pipelining: 1 });
  const controller = new AbortController();
  const durationTimer = setTimeout(() => controller.abort(), maxDurationMs);
  const result: LoadResult = {
    total: 0,
    ok: 0,
    failed: 0,
    byRelease: {},
    failures: [],
    records: [],
    startedAt: Date.now(),
    endedAt: 0,
  };
  let issued = 0;
  const waiters: Array<{ n: number; resolve: () => void }> = [];

  const settle = (record: LoadRecord): void => {
    result.total += 1;
    const failed = record.status === null || record.status < 200 || record.status >= 300;
    if (failed) {
      result.failed += 1;
      result.failures.push(record);
    } else {
      result.ok += 1;
    }
    if (record.release) result.byRelease[record.release] = (result.byRelease[record.release] ?? 0) + 1;
    if (options.recordAll) result.records.push(record);
    for (const waiter of [...waiters]) {
      if (result.total >= waiter.n) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };

  const worker = async (): Promise<void> => {
    while (!controller.signal.aborted && issued < maxRequests) {
      issued += 1;
      const startedAt = Date.now();
      try {
        const response = await request(target, {
          method: 'GET',
          headers: options.headers,
          dispatcher: agent,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
        for await (const _chunk of response.body) void _chunk;
        const header = response.headers['x-release'];
        const release = Array.isArray(header) ? header[0]! : (header ?? null);
        settle({ startedAt, endedAt: Date.now(), status: response.statusCode, release });
      } catch (error) {
        const code = (error as { code?: string }).code;
        settle({ startedAt, endedAt: Date.now(), status: null, release: null, error: code ?? (error as Error).message });
      }
    }
  };

  const done = Promise.all(Array.from({ length: concurrency }, worker)).then(async () => {
    clearTimeout(durationTimer);
    result.endedAt = Date.now();
    for (const waiter of waiters.splice(0)) waiter.resolve();
    await agent.close().catch(() => undefined);
    return result;
  });

  return {
    done,
    stop() {
      controller.abort();
      return done;
    },
    snapshot: () => ({ total: result.total, ok: result.ok, failed: result.failed, byRelease: { ...result.byRelease } }),
    waitFor(n) {
      if (result.total >= n || result.endedAt) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ n, resolve }));
    },
  };
}

/** Failures whose request overlapped [from, to] (Date.now() values). */
export function failuresBetween(result: LoadResult, from: number, to: number): LoadRecord[] {
  return result.failures.filter((f) => f.endedAt >= from && f.startedAt <= to);
}

/** Failures entirely outside [from, to]: a test asserts this is empty. */
export function failuresOutside(result: LoadResult, from: number, to: number): LoadRecord[] {
  return result.failures.filter((f) => f.endedAt < from || f.startedAt > to);
}
