import type { UpstreamMetrics } from '../../contracts/metrics.js';
import type { PostCheckResult } from '../../contracts/summary.js';
import { formatMs } from '../format.js';
import type { WatchResult } from '../window.js';
import { QUANTILES, latencyCheckName, verdictOf } from './judge.js';
import { compareLatency } from './latency.js';
import type { CohortLabels } from '../thresholds.js';
import { type JudgeThresholds, judgeDefaults, marginsOf } from './thresholds.js';

/** Pairs answered on both sides below which a side-by-side measure decides nothing: the failure stands. */
export const MIN_SIDE_BY_SIDE = 20;

export type MeasureSideBySide = () => Promise<{ baseline: UpstreamMetrics; candidate: UpstreamMetrics }>;

/**
 * A window that failed on latency against the baseline alone, judged on our own probes, is measured again side by
 * side (src/verify/side-by-side.ts) before it counts. Probes of the baseline and of the candidate ran at different
 * moments, and on a busy box the later ones can all be slower without the release being so. The same test and
 * limits then decide on the paired figures: a slower release is slower at the same moment too, and fails again;
 * otherwise the check passes, and its value keeps both figures. Any other failure, an early one (a clear breach,
 * the window cut short) or one partly from real traffic, stands as it is.
 */
export async function confirmLatencyFailure(window: WatchResult, measure: MeasureSideBySide, thresholds: JudgeThresholds, labels: CohortLabels): Promise<WatchResult> {
  if (window.outcome !== 'fail' || window.early || window.aborted) return window;
  const failed = window.results.filter((r) => !r.ok && !r.inconclusive);
  const quantileOf = new Map(QUANTILES.map((q) => [latencyCheckName(q, labels), q]));
  if (failed.length === 0 || !failed.every((r) => quantileOf.has(r.name))) return window;
  const measured = await measure().catch(() => null);
  const answered = (m: UpstreamMetrics) => m.requests - m.proxyErrors;
  if (!measured || answered(measured.baseline) < MIN_SIDE_BY_SIDE || answered(measured.candidate) < MIN_SIDE_BY_SIDE) {
    const why = measured ? `only ${Math.min(answered(measured.baseline), answered(measured.candidate))} pairs answered` : 'unmeasurable';
    return { ...window, results: window.results.map((r) => (failed.includes(r) ? { ...r, value: `${r.value}; side by side: ${why}` } : r)) };
  }
  const margins = marginsOf(thresholds);
  const z = thresholds.z ?? judgeDefaults.z;
  const results = window.results.map((check): PostCheckResult => {
    const quantile = failed.includes(check) ? quantileOf.get(check.name) : undefined;
    if (!quantile) return check;
    const again = compareLatency(quantile, measured.candidate, measured.baseline, labels.baseline, margins, z);
    const figures = `side by side ${formatMs(measured.candidate.latencyMs[quantile])} vs ${formatMs(measured.baseline.latencyMs[quantile])}`;
    return again.worse ? { ...check, value: `${check.value}; ${figures}: confirmed` } : { ...check, ok: true, value: `${check.value}; ${figures}: not confirmed` };
  });
  const verdict = verdictOf(results, window.samples);
  return { ...window, results, outcome: verdict.outcome, ok: verdict.outcome === 'pass' };
}
