import type { UpstreamMeter } from '../meter.js';
import type { Gate } from '../gate.js';
import type { RequestHead } from './request-head.js';
import type { UpstreamPool } from './upstream-pool.js';

/** Where one request goes and what the router adds to it. */
export interface ProxyTarget {
  pool: UpstreamPool;
  meter: UpstreamMeter;
  /** Request header lines to add, each ending in CRLF (the flags header). */
  requestHeaders: string;
  /** Response header lines to add, each ending in CRLF (a Set-Cookie for a new sticky or flags key). */
  responseHeaders: string;
  /** Cohort meters (one per feature flag) that record this request too. */
  extraMeters: UpstreamMeter[] | null;
}

/** The routing decision the connection layer asks for on every request head. */
export interface Routing {
  /** Null: no release is active (503). */
  route(head: RequestHead): ProxyTarget | null;
  /** The flag table's user header, which the head parser picks out; null when none is configured. */
  readonly userHeader: string | null;
  /** Paused or in maintenance (src/router/gate.ts); null while serving. */
  readonly gate: Gate | null;
}
