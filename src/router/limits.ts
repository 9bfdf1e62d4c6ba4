/**
 * What the router allows one client, with defaults close to nginx's. Every field is configurable (`router:` in the
 * config, see docs/router.md); tests inject short timeouts.
 */
export interface RouterLimits {
  /** Header lines in a request head; more is answered 400 (nginx-like "too many header lines"). */
  maxHeaderLines: number;
  /** Bytes of a request head, request line included; more is answered 431. */
  maxHeaderBytes: number;
  /** Bytes of a request body; more is answered 413. 0 means no limit. */
  maxBodyBytes: number;
  /** A request head must be complete within this long of its first byte (slowloris), else 408. */
  headTimeoutMs: number;
  /** An idle keep-alive connection is closed after this long. */
  keepAliveTimeoutMs: number;
  /** A request body that stops arriving for this long is cut (408 when nothing was answered yet). */
  bodyIdleTimeoutMs: number;
  /** A client that reads none of its response for this long is disconnected. */
  sendIdleTimeoutMs: number;
  /** An upstream must send its response head within this long, else 502. */
  responseTimeoutMs: number;
  /** A WebSocket or other upgraded connection with no byte either way for this long is closed. */
  tunnelIdleTimeoutMs: number;
  /** Open connections from one client address; more are refused with 503. */
  maxConnectionsPerClient: number;
  /** Open client connections in all; more are refused with 503. */
  maxConnections: number;
}

export const DEFAULT_LIMITS: RouterLimits = {
  maxHeaderLines: 100,
  maxHeaderBytes: 16 * 1024,
  maxBodyBytes: 100 * 1024 * 1024,
  headTimeoutMs: 10_000,
  keepAliveTimeoutMs: 30_000,
  bodyIdleTimeoutMs: 30_000,
  sendIdleTimeoutMs: 30_000,
  responseTimeoutMs: 300_000,
  tunnelIdleTimeoutMs: 300_000,
  maxConnectionsPerClient: 256,
  maxConnections: 10_000,
};

export function withDefaults(limits: Partial<RouterLimits> = {}): RouterLimits {
  const merged = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(limits) as [keyof RouterLimits, number | undefined][]) if (value !== undefined) merged[key] = value;
  return merged;
}

const TIMEOUTS = ['headTimeoutMs', 'keepAliveTimeoutMs', 'bodyIdleTimeoutMs', 'sendIdleTimeoutMs', 'responseTimeoutMs', 'tunnelIdleTimeoutMs'] as const;

/**
 * Timeouts run on one ticker, so nothing is armed per request. It ticks at a quarter of the shortest timeout, at
 * most once a second and at least every 5 ms; each timeout is then a whole number of ticks.
 */
export function tickMs(limits: RouterLimits): number {
  let shortest = Infinity;
  for (const key of TIMEOUTS) shortest = Math.min(shortest, limits[key]);
  return Math.max(5, Math.min(1000, Math.floor(shortest / 4)));
}

/** Ticks of `tick` ms a timeout lasts: a connection is expired once more than this many ticks passed. */
export function ticksOf(ms: number, tick: number): number {
  return Math.max(1, Math.ceil(ms / tick));
}
