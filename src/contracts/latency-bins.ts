/**
 * Log-spaced latency bins shared by the router (which counts into them) and verification (which runs
 * rank tests on them). Each bin is 10% wider than the one before, from 1 µs to a minute: about 190 bins,
 * so two releases' whole latency distributions travel as a few dozen [bin, count] pairs.
 */
const RATIO = 1.1;
const LOG_RATIO = Math.log(RATIO);
const MAX_US = 60_000_000;
export const LATENCY_BIN_COUNT = Math.ceil(Math.log(MAX_US) / LOG_RATIO) + 1;

export function latencyBinOf(latencyUs: number): number {
  if (!(latencyUs > 1)) return 0;
  return Math.min(LATENCY_BIN_COUNT - 1, Math.floor(Math.log(latencyUs) / LOG_RATIO));
}

/** The upper edge of a bin in milliseconds. */
export function latencyBinUpperMs(bin: number): number {
  return RATIO ** (bin + 1) / 1000;
}

/** Sparse [bin, count] pairs, ascending by bin, as `UpstreamMetrics.latencyBins` carries them. */
export type LatencyBins = Array<[number, number]>;

export function sparseBins(counts: ArrayLike<number>): LatencyBins {
  const out: LatencyBins = [];
  for (let i = 0; i < counts.length; i++) if (counts[i] > 0) out.push([i, counts[i]]);
  return out;
}
