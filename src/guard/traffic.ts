import type { UpstreamMetrics } from '../contracts/metrics.js';
import type { PostCheckResult } from '../contracts/summary.js';
import { errorCount, evaluateErrorRate, evaluateResponseTimes } from '../verify/analysis.js';
import { Z, clearlyAbove } from '../verify/stats.js';
import { type VerifyThresholds, requiredSamples } from '../verify/thresholds.js';

export interface TrafficRules {
  thresholds: VerifyThresholds;
  /**
   * The guard tests its window every tick for half an hour, so a rate that is
   * over the limit by chance alone would eventually roll back a healthy
   * release. An error-rate breach must be clear: the Wilson lower bound at
   * this one-sided z is over the limit. 0 turns the test off.
   */
  z: number;
  /** Consecutive ticks with p95 over the limit before it counts as a breach (one slow burst is not a trend). */
  confirmTicks: number;
}

export const defaultTrafficRules = { z: Z.p999, confirmTicks: 2 } as const;

export interface TrafficVerdict {
  /** Figures from the same analysis as post-deployment verification. */
  figures: PostCheckResult[];
  breaches: PostCheckResult[];
  insufficient: boolean;
  /** Insufficient traffic, or an over-limit figure not yet clear. */
  note: string | null;
  /** Consecutive ticks with p95 over the limit, this one included. */
  p95Streak: number;
}

/** One tick of the sliding-window analysis. Pure. */
export function assessTraffic(m: UpstreamMetrics, rules: TrafficRules, p95Streak: number): TrafficVerdict {
  const { thresholds } = rules;
  const errorRate = evaluateErrorRate(m, thresholds);
  const responseTimes = evaluateResponseTimes(m, thresholds);
  const figures = [errorRate.result, responseTimes.result];
  if (errorRate.insufficient || responseTimes.insufficient) {
    const needed = requiredSamples(thresholds.minRequests);
    return {
      figures,
      breaches: [],
      insufficient: true,
      note: `insufficient traffic: ${m.requests} requests in the last ${Math.round(m.windowMs / 1000)}s (< ${needed} required)`,
      p95Streak: 0,
    };
  }
  const breaches: PostCheckResult[] = [];
  const notes: string[] = [];
  if (!errorRate.result.ok) {
    if (rules.z <= 0 || clearlyAbove(errorCount(m), m.requests, thresholds.errorRate, rules.z)) breaches.push(errorRate.result);
    else notes.push(`${errorRate.result.name} ${errorRate.result.value} over the limit but not yet clear of noise`);
  }
  const streak = responseTimes.result.ok ? 0 : p95Streak + 1;
  if (!responseTimes.result.ok) {
    if (streak >= rules.confirmTicks) breaches.push(responseTimes.result);
    else notes.push(`${responseTimes.result.name} ${responseTimes.result.value} over the limit (${streak}/${rules.confirmTicks} ticks)`);
  }
  return { figures, breaches, insufficient: false, note: notes.length ? notes.join('; ') : null, p95Streak: streak };
}
