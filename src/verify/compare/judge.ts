import type { UpstreamMetrics } from '../../contracts/metrics.js';
import type { PostCheckResult } from '../../contracts/summary.js';
import { evaluateErrorRate, evaluateResponseTimes } from '../analysis.js';
import { type EarlyOptions, detectBreaches } from '../early.js';
import { type CohortLabels, requiredSamples } from '../thresholds.js';
import { compareLatency, type LatencyQuantile } from './latency.js';
import { compareRate, rateMetrics } from './rates.js';
import { type JudgeThresholds, judgeDefaults, marginsOf } from './thresholds.js';

export type Outcome = 'pass' | 'fail' | 'inconclusive';

export interface Samples {
  candidate: number;
  /** Null when there is no baseline (a first release, or 100% of a canary). */
  baseline: number | null;
}

export interface Judgement {
  outcome: Outcome;
  /** Every check, absolute limits first; an inconclusive one has ok false and inconclusive true. */
  checks: PostCheckResult[];
  /** What decided: the failed checks, else the inconclusive ones; empty on a pass. */
  reasons: PostCheckResult[];
  samples: Samples;
}

export const blueGreenLabels: CohortLabels = { subject: 'green', baseline: 'blue' };

export const QUANTILES: LatencyQuantile[] = ['p95', 'p99'];

/** The name of a latency check against the baseline, e.g. "p95 vs blue". */
export function latencyCheckName(quantile: LatencyQuantile, labels: CohortLabels): string {
  return `${quantile} vs ${labels.baseline}`;
}

/**
 * The verdict on a candidate release: the absolute limits on its own traffic (hard limits), and,
 * with a baseline, its 5xx, 4xx, 404 and 410 rates (two-proportion tests) and p95/p99 (Mann-Whitney
 * U on the latency distributions) against the release it replaces or the stable side of a canary.
 * Fail when any check fails; inconclusive when none failed but some lacked samples; pass otherwise.
 * Pure: the same figures give the same verdict.
 */
export function judge(baseline: UpstreamMetrics | null, candidate: UpstreamMetrics, t: JudgeThresholds, labels: CohortLabels = blueGreenLabels): Judgement {
  const checks: PostCheckResult[] = [evaluateErrorRate(candidate, t), evaluateResponseTimes(candidate, t)].map((e) =>
    e.insufficient ? { ...e.result, inconclusive: true } : e.result,
  );
  if (baseline) checks.push(...relativeChecks(baseline, candidate, t, labels));
  return verdictOf(checks, { candidate: candidate.requests, baseline: baseline?.requests ?? null });
}

export function verdictOf(checks: PostCheckResult[], samples: Samples): Judgement {
  const failed = checks.filter((c) => !c.ok && !c.inconclusive);
  const inconclusive = checks.filter((c) => c.inconclusive);
  const outcome: Outcome = failed.length > 0 ? 'fail' : inconclusive.length > 0 ? 'inconclusive' : 'pass';
  return { outcome, checks, reasons: failed.length > 0 ? failed : inconclusive, samples };
}

function relativeChecks(baseline: UpstreamMetrics, candidate: UpstreamMetrics, t: JudgeThresholds, labels: CohortLabels): PostCheckResult[] {
  const margins = marginsOf(t);
  const z = t.z ?? judgeDefaults.z;
  const vs = ` vs ${labels.baseline}`;
  const short = shortfall(baseline, candidate, t, labels);
  const checks: PostCheckResult[] = [];
  for (const metric of rateMetrics(margins, candidate, baseline)) {
    const name = metric.name + vs;
    if (short) {
      checks.push({ name, ok: false, inconclusive: true, value: short, threshold: `<= ${labels.baseline} + ${(metric.margin * 100).toFixed(1)}pp` });
      continue;
    }
    const c = compareRate(metric, candidate, baseline, labels.baseline, z);
    checks.push({ name, ok: !c.worse, value: c.value, threshold: c.threshold });
  }
  for (const quantile of QUANTILES) {
    const name = latencyCheckName(quantile, labels);
    const threshold = `<= ${margins.latencyFactor}x ${labels.baseline} + ${margins.latencySlackMs}ms`;
    if (short) {
      checks.push({ name, ok: false, inconclusive: true, value: short, threshold });
      continue;
    }
    const c = compareLatency(quantile, candidate, baseline, labels.baseline, margins, z);
    checks.push({ name, ok: !c.worse, value: c.value, threshold: c.threshold });
  }
  return checks;
}

function shortfall(baseline: UpstreamMetrics, candidate: UpstreamMetrics, t: JudgeThresholds, labels: CohortLabels): string | null {
  const neededCandidate = requiredSamples(t.minRequests);
  const neededBaseline = requiredSamples(t.minBaselineRequests ?? t.minRequests);
  if (candidate.requests < neededCandidate) return `${labels.subject}: ${candidate.requests} requests (< ${neededCandidate} required)`;
  if (baseline.requests < neededBaseline) return `${labels.baseline}: ${baseline.requests} requests (< ${neededBaseline} required)`;
  return null;
}

/**
 * Breaches clear enough to stop before the window ends: the absolute ones (src/verify/early.ts), and
 * rates or a median clearly worse than the baseline at the stricter early confidence, from 10 requests
 * and 3 offending answers on. Whatever is not clear yet is left to the end of the window.
 */
export function clearBreaches(
  baseline: UpstreamMetrics | null,
  candidate: UpstreamMetrics,
  t: JudgeThresholds,
  labels: CohortLabels = blueGreenLabels,
  early: EarlyOptions = {},
): PostCheckResult[] {
  const z = early.z ?? judgeDefaults.earlyZ;
  const breaches = detectBreaches(candidate, t, { ...early, z });
  if (!baseline || candidate.requests < (early.minSamples ?? judgeDefaults.earlyMinSamples)) return breaches;
  if (baseline.requests < requiredSamples(t.minBaselineRequests ?? t.minRequests)) return breaches;
  const margins = marginsOf(t);
  const vs = ` vs ${labels.baseline}`;
  for (const metric of rateMetrics(margins, candidate, baseline)) {
    const c = compareRate(metric, candidate, baseline, labels.baseline, z, early.minErrors ?? judgeDefaults.earlyMinHits);
    if (c.worse) breaches.push({ name: metric.name + vs, ok: false, value: `${c.value}, decided early`, threshold: c.threshold });
  }
  const latency = compareLatency('p95', candidate, baseline, labels.baseline, margins, z, true);
  if (latency.worse) breaches.push({ name: latencyCheckName('p95', labels), ok: false, value: `${latency.value}, decided early`, threshold: latency.threshold });
  return breaches;
}
