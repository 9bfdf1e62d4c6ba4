/**
 * Small statistics used to decide when a breach is clear rather than noise.
 * Wilson's score interval behaves well for tiny samples and rates near 0,
 * which is exactly the case right after a switch.
 */

/** One-sided critical values of the standard normal distribution. */
export const Z = { p90: 1.2816, p95: 1.6449, p99: 2.3263, p999: 3.0902 } as const;

export interface Interval {
  low: number;
  high: number;
}

/** Wilson score interval for `hits` successes out of `n` trials, at critical value `z`. */
export function wilson(hits: number, n: number, z: number): Interval {
  if (n <= 0) return { low: 0, high: 1 };
  const p = Math.min(1, Math.max(0, hits / n));
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = p + z2 / (2 * n);
  const spread = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return {
    low: Math.max(0, (centre - spread) / denominator),
    high: Math.min(1, (centre + spread) / denominator),
  };
}

/** True when the true rate behind `hits`/`n` is above `threshold` with the confidence `z` stands for. */
export function clearlyAbove(hits: number, n: number, threshold: number, z: number): boolean {
  return n > 0 && wilson(hits, n, z).low > threshold;
}
