import type { UpstreamMetrics } from '../contracts/metrics.js';
import type { PostCheckResult } from '../contracts/summary.js';
import { CHECK, errorCount, errorRate } from './analysis.js';
import { formatMs, formatPercent } from './format.js';
import { Z, clearlyAbove, wilson } from './stats.js';
import type { VerifyThresholds } from './thresholds.js';

/**
 * Early detection: fail before the window ends only when the breach is
 * statistically clear, so a bad release is rolled back after a handful of
 * failed requests while noise in a healthy one never triggers a rollback.
 */
export interface EarlyOptions {
  /**
   * One-sided critical value; default Z.p999 (3.09). The window looks at the
   * figures many times, so each look must be stricter than a single test.
   */
  z?: number;
  /** Never decide early on fewer samples than this; default 10. */
  minSamples?: number;
  /** Never fail the error rate early on fewer errors than this; default 3. */
  minErrors?: number;
}

const defaults = { z: Z.p999, minSamples: 10, minErrors: 3 } as const;

/** The share of requests known to be slower than `limitMs`, from the quantiles the router reports. */
function slowShareLowerBound(m: UpstreamMetrics, limitMs: number): number {
  return m.latencyMs.p50 > limitMs ? 0.5 : 0;
}

/**
 * Clear breaches of the absolute gates. Error rate: the Wilson lower bound is
 * over the limit. Latency: the median is over the p95 limit, so at least half
 * the requests are slow, and that half is clearly more than the 5% a p95 allows.
 */
export function detectBreaches(m: UpstreamMetrics, t: VerifyThresholds, options: EarlyOptions = {}): PostCheckResult[] {
  const z = options.z ?? defaults.z;
  const minSamples = options.minSamples ?? defaults.minSamples;
  const n = m.requests;
  if (n < minSamples) return [];
  const breaches: PostCheckResult[] = [];
  const errors = errorCount(m);
  if (errors >= (options.minErrors ?? defaults.minErrors) && clearlyAbove(errors, n, t.errorRate, z)) {
    breaches.push({
      name: CHECK.errorRate,
      ok: false,
      value: `${formatPercent(errorRate(m))} (${errors}/${n} requests failed, decided early)`,
      threshold: `< ${formatPercent(t.errorRate)}`,
    });
  }
  const slowShare = slowShareLowerBound(m, t.p95Ms);
  if (slowShare > 0 && wilson(Math.floor(n * slowShare), n, z).low > 0.05) {
    breaches.push({
      name: CHECK.responseTimes,
      ok: false,
      value: `${formatMs(m.latencyMs.p95)} p95, ${formatMs(m.latencyMs.p50)} p50 (${n} requests, decided early)`,
      threshold: `< ${formatMs(t.p95Ms)}`,
    });
  }
  return breaches;
}
