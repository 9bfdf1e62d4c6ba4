/** Formatting of figures for PostCheckResult values, matching the summary ("0.1%", "245ms p95"). */

/** A fraction (0.001) as a percentage with at most two decimals ("0.1%"). */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return 'n/a';
  return `${Number((fraction * 100).toFixed(2))}%`;
}

/** Milliseconds, whole above 10 ms, one decimal below ("245ms", "3.4ms"). */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  return ms >= 10 ? `${Math.round(ms)}ms` : `${Number(ms.toFixed(1))}ms`;
}

/** A difference of two fractions in percentage points ("0.5pp"). */
export function formatPoints(fraction: number): string {
  return `${Number((fraction * 100).toFixed(2))}pp`;
}
