import type { UpstreamMetrics } from '../../contracts/metrics.js';
import { formatMs } from '../format.js';
import { mannWhitney } from './mann-whitney.js';

export type LatencyQuantile = 'p95' | 'p99';

export interface LatencyComparison {
  worse: boolean;
  value: string;
  threshold: string;
}

export interface LatencyLimits {
  latencyFactor: number;
  latencySlackMs: number;
}

export function latencyLimit(baselineMs: number, limits: LatencyLimits): number {
  return baselineMs * limits.latencyFactor + limits.latencySlackMs;
}

/**
 * P(candidate slower than baseline) from which a latency shift counts as large (Vargha and Delaney's A ≥ 0.71).
 * A release whose latencies all rose sits near 1.0; a green whose tail alone is slower (a cold start, a box briefly
 * loaded by something else) sits near 0.5–0.6 even when many samples make that shift significant.
 */
export const LARGE_EFFECT = 0.71;

/**
 * A quantile is worse when it grew past the baseline's x factor + slack AND the rank test says the
 * candidate's latencies are larger (one-sided, at `z`) AND the shift is large (LARGE_EFFECT): a big quantile from a
 * few unlucky requests does not fail alone, and neither does a significant but small shift. Without distributions (a
 * platform that reports quantiles only), the quantile test alone decides.
 * `early` compares the candidate's median with the allowance instead: half the requests are slow.
 */
export function compareLatency(quantile: LatencyQuantile, subject: UpstreamMetrics, baseline: UpstreamMetrics, baselineLabel: string, limits: LatencyLimits, z: number, early = false): LatencyComparison {
  const limit = latencyLimit(baseline.latencyMs[quantile], limits);
  const observed = early ? subject.latencyMs.p50 : subject.latencyMs[quantile];
  const grown = observed > limit;
  const threshold = `<= ${limits.latencyFactor}x ${baselineLabel} + ${formatMs(limits.latencySlackMs)}`;
  const figures = `${formatMs(subject.latencyMs[quantile])} vs ${formatMs(baseline.latencyMs[quantile])} ${quantile} ${baselineLabel}`;
  if (!subject.latencyBins || !baseline.latencyBins) {
    return { worse: !early && grown, value: `${figures} (quantiles only)`, threshold };
  }
  const test = mannWhitney(subject.latencyBins, baseline.latencyBins);
  const worse = grown && test.z > z && test.superiority >= LARGE_EFFECT;
  const median = early ? `, p50 ${formatMs(subject.latencyMs.p50)}` : '';
  return { worse, value: `${figures}${median} (rank test z=${test.z.toFixed(1)}, P(slower)=${test.superiority.toFixed(2)})`, threshold };
}
