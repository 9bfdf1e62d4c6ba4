import type { LatencyBins } from '../../contracts/latency-bins.js';

export interface RankTest {
  /** The candidate's U statistic: pairs (candidate, baseline) where the candidate is slower, ties counting half. */
  u: number;
  /** Probability that a random candidate request is slower than a random baseline one (0.5 = no difference). */
  superiority: number;
  /** Normal approximation with the tie correction; positive when the candidate is slower. */
  z: number;
  nCandidate: number;
  nBaseline: number;
}

/**
 * Mann-Whitney U test of "candidate latencies are larger than baseline latencies", on binned
 * distributions (values in one bin are ties), as Kayenta's judge runs it per metric. The normal
 * approximation with the tie-corrected variance is exact enough from a few dozen samples per side.
 */
export function mannWhitney(candidate: LatencyBins, baseline: LatencyBins): RankTest {
  const c = new Map(candidate);
  const b = new Map(baseline);
  const bins = [...new Set([...c.keys(), ...b.keys()])].sort((x, y) => x - y);
  const nCandidate = sum(candidate);
  const nBaseline = sum(baseline);
  let baselineBelow = 0;
  let u = 0;
  let tieTerm = 0;
  for (const bin of bins) {
    const inCandidate = c.get(bin) ?? 0;
    const inBaseline = b.get(bin) ?? 0;
    u += inCandidate * (baselineBelow + inBaseline / 2);
    baselineBelow += inBaseline;
    const tied = inCandidate + inBaseline;
    tieTerm += tied ** 3 - tied;
  }
  const pairs = nCandidate * nBaseline;
  if (pairs === 0) return { u: 0, superiority: 0.5, z: 0, nCandidate, nBaseline };
  const n = nCandidate + nBaseline;
  const variance = (pairs / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  const centred = u - pairs / 2;
  const z = variance > 0 ? centred / Math.sqrt(variance) : 0;
  return { u, superiority: u / pairs, z, nCandidate, nBaseline };
}

function sum(bins: LatencyBins): number {
  let total = 0;
  for (const [, count] of bins) total += count;
  return total;
}
