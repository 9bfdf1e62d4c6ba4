import type { UpstreamMetrics } from '../contracts/metrics.js';
import type { PostCheckResult } from '../contracts/summary.js';
import { formatMs, formatPercent } from './format.js';
import { type VerifyThresholds, requiredSamples } from './thresholds.js';

/**
 * Pure gate maths over router metrics. A gate never passes on zero or too few
 * samples: "no values found" is a failure here, not a pass (the complaint
 * users have about Argo Rollouts and Flagger analyses).
 */

export const CHECK = {
  errorRate: 'Error Rate',
  responseTimes: 'Response Times',
} as const;

/** A check plus whether it failed only for lack of samples (the watch window may still wait for more). */
export interface Evaluated {
  result: PostCheckResult;
  insufficient: boolean;
}

/** Server errors: every 5xx, which already includes the router's own 502s for proxy failures. */
export function errorCount(m: UpstreamMetrics): number {
  return m.byClass['5xx'];
}

export function errorRate(m: UpstreamMetrics): number {
  return m.requests > 0 ? errorCount(m) / m.requests : 0;
}

function insufficientValue(requests: number, needed: number, who?: string): string {
  const prefix = who ? `${who}: ` : '';
  return `${prefix}${requests} requests (< ${needed} required)`;
}

/** Strictly under the limit, except that zero errors always meets a 0% limit. */
export function errorRateWithin(errors: number, requests: number, limit: number): boolean {
  return errors === 0 || errors / requests < limit;
}

export function evaluateErrorRate(m: UpstreamMetrics, t: VerifyThresholds): Evaluated {
  const needed = requiredSamples(t.minRequests);
  const threshold = `< ${formatPercent(t.errorRate)}`;
  if (m.requests < needed) {
    return {
      result: { name: CHECK.errorRate, ok: false, value: insufficientValue(m.requests, needed), threshold },
      insufficient: true,
    };
  }
  const ok = errorRateWithin(errorCount(m), m.requests, t.errorRate);
  return { result: { name: CHECK.errorRate, ok, value: formatPercent(errorRate(m)), threshold }, insufficient: false };
}

export function evaluateResponseTimes(m: UpstreamMetrics, t: VerifyThresholds): Evaluated {
  const needed = requiredSamples(t.minRequests);
  const threshold = `< ${formatMs(t.p95Ms)}`;
  if (m.requests < needed) {
    return {
      result: { name: CHECK.responseTimes, ok: false, value: insufficientValue(m.requests, needed), threshold },
      insufficient: true,
    };
  }
  const p95 = m.latencyMs.p95;
  const ok = Number.isFinite(p95) && p95 < t.p95Ms;
  return { result: { name: CHECK.responseTimes, ok, value: `${formatMs(p95)} p95`, threshold }, insufficient: false };
}

/** Blue-green gate on the traffic that went to the new release: error rate, then p95. */
export function analyzeMetrics(m: UpstreamMetrics, t: VerifyThresholds): PostCheckResult[] {
  return [evaluateErrorRate(m, t).result, evaluateResponseTimes(m, t).result];
}
