/** How far back a router's metrics window can reach. Production verification windows are a few minutes. */
export const MAX_WINDOW_MS = 15 * 60_000;

/** What the router reports for one upstream over a time window; post-deployment verification reads this. */
export interface UpstreamMetrics {
  upstream: string;
  windowMs: number;
  requests: number;
  byClass: { '1xx': number; '2xx': number; '3xx': number; '4xx': number; '5xx': number };
  /** Connection or proxy failures, answered to the client as 502 (also counted in 5xx). */
  proxyErrors: number;
  inFlight: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  /** Client errors counted apart: 404 and 410 (a release that lost routes) and 499 (the client went away, not the release's fault). */
  byStatus?: { '404': number; '410': number; '499': number };
  /** The whole latency distribution as sparse [bin, count] pairs (src/contracts/latency-bins.ts), for rank tests against a baseline. */
  latencyBins?: Array<[number, number]>;
}
