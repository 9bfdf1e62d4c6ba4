/** Limits for post-deployment verification, already parsed from the config ("1%" -> 0.01, "500ms" -> 500). */
export interface VerifyThresholds {
  /** Highest acceptable share of 5xx answers (proxy errors included), as a fraction: 0.01 = 1%. */
  errorRate: number;
  /** Highest acceptable 95th-percentile latency in milliseconds. */
  p95Ms: number;
  /** Samples needed before a gate may pass. Zero is treated as one: no gate passes on zero samples. */
  minRequests: number;
}

/** Extra limits when a canary (or a flagged cohort) is judged against the stable baseline in the same window. */
export interface ComparisonThresholds extends VerifyThresholds {
  /** How far the candidate's 5xx rate may exceed the baseline's, as a fraction (0.002 = 0.2 percentage points). */
  errorRateMargin?: number;
  /** The candidate's p95 and p99 may grow to baseline x p95Factor + p95SlackMs (src/verify/compare/thresholds.ts). */
  p95Factor?: number;
  /** Absolute allowance that keeps tiny latencies (2 ms vs 1 ms) from failing the relative p95 test. */
  p95SlackMs?: number;
  /** Samples needed on the baseline side; defaults to minRequests. */
  minBaselineRequests?: number;
  /** One-sided critical value of the end-of-window tests; defaults to Z.p99 (2.33). */
  z?: number;
}

/** Names used in check names and values, e.g. "canary"/"stable" or "flagged"/"unflagged". */
export interface CohortLabels {
  subject: string;
  baseline: string;
}

export const canaryLabels: CohortLabels = { subject: 'canary', baseline: 'stable' };

/** The effective minimum sample count: never below one. */
export function requiredSamples(minRequests: number): number {
  return Math.max(1, Math.ceil(Number.isFinite(minRequests) ? minRequests : 1));
}
