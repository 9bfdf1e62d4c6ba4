import type { UpstreamMetrics } from '../contracts/metrics.js';
import type { PostCheckResult } from '../contracts/summary.js';
import { formatMs, formatPercent, formatPoints } from './format.js';
import {
  type CohortLabels,
  type ComparisonThresholds,
  type VerifyThresholds,
  canaryLabels,
  comparisonDefaults,
  requiredSamples,
} from './thresholds.js';

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

export function evaluateComparison(
  subject: UpstreamMetrics,
  baseline: UpstreamMetrics,
  t: ComparisonThresholds,
  labels: CohortLabels = canaryLabels,
): Evaluated[] {
  return [
    evaluateErrorRate(subject, t),
    evaluateRelativeErrorRate(subject, baseline, t, labels),
    evaluateResponseTimes(subject, t),
    evaluateRelativeP95(subject, baseline, t, labels),
  ];
}

/**
 * Canary (or flagged cohort) against the baseline in the same window: the
 * absolute gates on the canary, and two relative gates against the baseline.
 * Both sides need their minimum sample count.
 */
export function compareMetrics(
  subject: UpstreamMetrics,
  baseline: UpstreamMetrics,
  t: ComparisonThresholds,
  labels: CohortLabels = canaryLabels,
): PostCheckResult[] {
  return evaluateComparison(subject, baseline, t, labels).map((e) => e.result);
}

function sampleShortfall(
  subject: UpstreamMetrics,
  baseline: UpstreamMetrics,
  t: ComparisonThresholds,
  labels: CohortLabels,
): string | null {
  const neededSubject = requiredSamples(t.minRequests);
  const neededBaseline = requiredSamples(t.minBaselineRequests ?? t.minRequests);
  if (subject.requests < neededSubject) return insufficientValue(subject.requests, neededSubject, labels.subject);
  if (baseline.requests < neededBaseline) return insufficientValue(baseline.requests, neededBaseline, labels.baseline);
  return null;
}

/**
 * A one-sided test that the subject's error rate exceeds the baseline's by
 * more than the margin. A difference inside the noise of small samples does
 * not fail the gate; the absolute gate still applies to the subject alone.
 */
export function clearlyWorseErrorRate(
  subject: { errors: number; requests: number },
  baseline: { errors: number; requests: number },
  margin: number,
  z: number,
): boolean {
  const p1 = subject.errors / subject.requests;
  const p2 = baseline.errors / baseline.requests;
  const excess = p1 - p2 - margin;
  if (excess <= 0) return false;
  const se = Math.sqrt((p1 * (1 - p1)) / subject.requests + (p2 * (1 - p2)) / baseline.requests);
  if (se === 0) return true;
  return excess / se > z;
}

export function evaluateRelativeErrorRate(
  subject: UpstreamMetrics,
  baseline: UpstreamMetrics,
  t: ComparisonThresholds,
  labels: CohortLabels = canaryLabels,
  z = t.z ?? comparisonDefaults.z,
): Evaluated {
  const margin = t.errorRateMargin ?? comparisonDefaults.errorRateMargin;
  const name = `${CHECK.errorRate} vs ${labels.baseline}`;
  const threshold = `<= ${labels.baseline} + ${formatPoints(margin)}`;
  const shortfall = sampleShortfall(subject, baseline, t, labels);
  if (shortfall) return { result: { name, ok: false, value: shortfall, threshold }, insufficient: true };
  const worse = clearlyWorseErrorRate(
    { errors: errorCount(subject), requests: subject.requests },
    { errors: errorCount(baseline), requests: baseline.requests },
    margin,
    z,
  );
  const value = `${formatPercent(errorRate(subject))} vs ${formatPercent(errorRate(baseline))} ${labels.baseline}`;
  return { result: { name, ok: !worse, value, threshold }, insufficient: false };
}

export function relativeP95Limit(baselineP95: number, t: ComparisonThresholds): number {
  return baselineP95 * (t.p95Factor ?? comparisonDefaults.p95Factor) + (t.p95SlackMs ?? comparisonDefaults.p95SlackMs);
}

export function evaluateRelativeP95(
  subject: UpstreamMetrics,
  baseline: UpstreamMetrics,
  t: ComparisonThresholds,
  labels: CohortLabels = canaryLabels,
): Evaluated {
  const factor = t.p95Factor ?? comparisonDefaults.p95Factor;
  const slack = t.p95SlackMs ?? comparisonDefaults.p95SlackMs;
  const name = `${CHECK.responseTimes} vs ${labels.baseline}`;
  const threshold = `<= ${factor}x ${labels.baseline} + ${formatMs(slack)}`;
  const shortfall = sampleShortfall(subject, baseline, t, labels);
  if (shortfall) return { result: { name, ok: false, value: shortfall, threshold }, insufficient: true };
  const ok = subject.latencyMs.p95 <= relativeP95Limit(baseline.latencyMs.p95, t);
  const value = `${formatMs(subject.latencyMs.p95)} vs ${formatMs(baseline.latencyMs.p95)} p95 ${labels.baseline}`;
  return { result: { name, ok, value, threshold }, insufficient: false };
}
