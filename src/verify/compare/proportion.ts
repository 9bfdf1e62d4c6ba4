export interface Proportion {
  hits: number;
  n: number;
}

/**
 * One-sided two-proportion test of "the candidate's rate exceeds the baseline's by more than `margin`".
 * Returns the z statistic; Agresti-Caffo's adjustment (one hit and one miss added to each side) keeps
 * it sane when a side has no hits at all, which is the usual case for a healthy release's 5xx.
 */
export function excessZ(candidate: Proportion, baseline: Proportion, margin: number): number {
  if (candidate.n <= 0 || baseline.n <= 0) return 0;
  const p1 = (candidate.hits + 1) / (candidate.n + 2);
  const p2 = (baseline.hits + 1) / (baseline.n + 2);
  const se = Math.sqrt((p1 * (1 - p1)) / (candidate.n + 2) + (p2 * (1 - p2)) / (baseline.n + 2));
  return (candidate.hits / candidate.n - baseline.hits / baseline.n - margin) / se;
}
