import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { FETCH_DEFAULT_HEADERS, httpRequest } from './http-request.js';
import { describeRequestError } from './request-error.js';

/** What every request of ours to an app carries, so the app can leave them out of its own analytics. */
export const PROBE_HEADERS: Readonly<Record<string, string>> = { 'user-agent': 'shipgate-probe', 'x-shipgate-probe': '1' };

/** The headers of a probe request: fetch's defaults, our identity, then the caller's. */
export function probeHeaders(extra?: Record<string, string>): Record<string, string> {
  return { ...FETCH_DEFAULT_HEADERS, ...PROBE_HEADERS, ...extra };
}

/** A keep-alive agent for `origin`'s protocol, with at most `maxSockets` connections. */
export function keepAliveAgent(origin: URL, maxSockets: number): HttpAgent {
  const Agent = origin.protocol === 'https:' ? HttpsAgent : HttpAgent;
  return new Agent({ keepAlive: true, maxSockets });
}

export interface ProbeOptions {
  /** Requests to send in total (an upper bound). */
  count: number;
  /** Requests in flight at once; kept small so probes never load the app much. */
  concurrency: number;
  /** Stop sending after this long. */
  deadlineMs: number;
  /**
   * Stops sending. Requests in flight still finish (within requestTimeoutMs):
   * cutting them would show up in the router's figures as client aborts.
   */
  signal?: AbortSignal;
  /** Per-request limit; a timeout counts as a failure. Default 5000. */
  requestTimeoutMs?: number;
  headers?: Record<string, string>;
}

export interface ProbeResult {
  /** Requests that finished, answered or failed. */
  sent: number;
  /** Answers below 500. */
  ok: number;
  /** 5xx answers and transport errors. */
  failed: number;
  byStatus: Record<string, number>;
  /** Transport errors by reason, e.g. "connection refused (ECONNREFUSED)". */
  errors: Record<string, number>;
  durationMs: number;
  /** Stopped by the deadline or the signal before `count` requests were sent. Total time stays under deadlineMs + requestTimeoutMs. */
  cutShort: boolean;
}

/**
 * Synthetic GET traffic over `paths` in turn, so gates reach their sample
 * count when real traffic is low. Bounded by count, concurrency and time.
 */
export async function generateProbeTraffic(baseUrl: string, paths: string[], options: ProbeOptions): Promise<ProbeResult> {
  const started = performance.now();
  const result: ProbeResult = { sent: 0, ok: 0, failed: 0, byStatus: {}, errors: {}, durationMs: 0, cutShort: false };
  if (paths.length === 0 || options.count <= 0) return result;
  const deadline = AbortSignal.timeout(Math.max(1, options.deadlineMs));
  const stop = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
  const requestTimeoutMs = options.requestTimeoutMs ?? 5_000;
  const origin = new URL(baseUrl);
  const concurrency = Math.max(1, Math.min(options.concurrency, options.count));
  const headers = probeHeaders(options.headers);
  // One worker, one request in flight, one connection: at most `concurrency` connections, reused.
  const agent = keepAliveAgent(origin, concurrency);

  let issued = 0;
  const worker = async (): Promise<void> => {
    while (!stop.aborted && issued < options.count) {
      const path = paths[issued % paths.length]!;
      issued += 1;
      try {
        // Drained to the end: dropping a large body early would close the connection mid-response.
        const response = await httpRequest(new URL(path, origin), { headers, timeoutMs: requestTimeoutMs, agent, body: 'drain' });
        result.sent += 1;
        const status = String(response.status);
        result.byStatus[status] = (result.byStatus[status] ?? 0) + 1;
        if (response.status >= 500) result.failed += 1;
        else result.ok += 1;
      } catch (error) {
        result.sent += 1;
        const reason = describeRequestError(error, requestTimeoutMs);
        result.errors[reason] = (result.errors[reason] ?? 0) + 1;
        result.failed += 1;
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
  result.cutShort = result.sent < options.count;
  result.durationMs = Math.round(performance.now() - started);
  return result;
}
