import { describe, expect, it } from 'vitest';
import type { LatencyBins } from '../../../src/contracts/latency-bins.js';
import { mannWhitney } from '../../../src/verify/compare/mann-whitney.js';
import { seeded } from './traffic.js';

function bins(values: number[]): LatencyBins {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => a[0] - b[0]);
}

/** U by counting every pair, ties as half: the definition the binned computation must match. */
function bruteForceU(candidate: number[], baseline: number[]): number {
  let u = 0;
  for (const c of candidate) for (const b of baseline) u += c > b ? 1 : c === b ? 0.5 : 0;
  return u;
}

describe('mannWhitney', () => {
  it('matches the pairwise definition of U, ties included', () => {
    const rng = seeded(7);
    for (let round = 0; round < 20; round++) {
      const candidate = Array.from({ length: 30 + round }, () => Math.floor(rng() * 12));
      const baseline = Array.from({ length: 25 + 2 * round }, () => Math.floor(rng() * 10));
      const test = mannWhitney(bins(candidate), bins(baseline));
      expect(test.u).toBe(bruteForceU(candidate, baseline));
      expect(test.nCandidate).toBe(candidate.length);
      expect(test.nBaseline).toBe(baseline.length);
    }
  });

  it('gives the textbook z for a small sample without ties', () => {
    // candidate 4,5,6 vs baseline 1,2,3: U = 9 of 9 pairs, mean 4.5, variance 9 * 7 / 12 = 5.25.
    const test = mannWhitney(bins([4, 5, 6]), bins([1, 2, 3]));
    expect(test.u).toBe(9);
    expect(test.superiority).toBe(1);
    expect(test.z).toBeCloseTo(4.5 / Math.sqrt(5.25), 10);
  });

  it('is centred on zero for the same distribution and large for a shifted one', () => {
    const rng = seeded(11);
    const draw = (shift: number) => Array.from({ length: 2000 }, () => Math.floor(rng() * 50) + shift);
    const same = mannWhitney(bins(draw(0)), bins(draw(0)));
    expect(Math.abs(same.z)).toBeLessThan(3);
    expect(same.superiority).toBeCloseTo(0.5, 1);
    const slower = mannWhitney(bins(draw(10)), bins(draw(0)));
    expect(slower.z).toBeGreaterThan(10);
    const faster = mannWhitney(bins(draw(0)), bins(draw(10)));
    expect(faster.z).toBeLessThan(-10);
  });

  it('says nothing without samples on a side', () => {
    expect(mannWhitney([], bins([1, 2]))).toMatchObject({ z: 0, superiority: 0.5, nCandidate: 0 });
  });
});
