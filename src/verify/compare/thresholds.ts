import { Z } from '../stats.js';
import type { ComparisonThresholds } from '../thresholds.js';

/** Limits of the comparison with the release being replaced (blue) or the stable side of a canary. */
export interface JudgeThresholds extends ComparisonThresholds {
  /** How far the candidate's 4xx, 404 or 410 rate may exceed the baseline's (0.01 = 1 percentage point). */
  clientErrorMargin?: number;
}

export const judgeDefaults = {
  /** 5xx: 0.2 percentage points over the baseline, once the excess is also statistically clear. */
  errorRateMargin: 0.002,
  clientErrorMargin: 0.01,
  /** p95 and p99 may grow to 1.5x the baseline plus 50 ms before a significant rank test fails them. */
  latencyFactor: 1.5,
  latencySlackMs: 50,
  /** One-sided critical value of the decision at the end of the window (99%). */
  z: Z.p99,
  /** Looks during the window are many; each must be stricter (99.9%). */
  earlyZ: Z.p999,
  earlyMinSamples: 10,
  earlyMinHits: 3,
} as const;

export function marginsOf(t: JudgeThresholds) {
  return {
    errorRateMargin: t.errorRateMargin ?? judgeDefaults.errorRateMargin,
    clientErrorMargin: t.clientErrorMargin ?? judgeDefaults.clientErrorMargin,
    latencyFactor: t.p95Factor ?? judgeDefaults.latencyFactor,
    latencySlackMs: t.p95SlackMs ?? judgeDefaults.latencySlackMs,
  };
}
