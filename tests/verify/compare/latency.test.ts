import { describe, expect, it } from 'vitest';
import type { UpstreamMetrics } from '../../../src/contracts/metrics.js';
import { compareLatency, LARGE_EFFECT } from '../../../src/verify/compare/latency.js';
import { Z } from '../../../src/verify/stats.js';

/** Metrics of `n` requests whose latencies (ms) are given as [value, count]; quantiles read off the same values. */
function metrics(values: Array<[number, number]>): UpstreamMetrics {
  const sorted = values.flatMap(([ms, count]) => Array.from({ length: count }, () => ms)).sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return {
    upstream: 'u',
    windowMs: 30_000,
    requests: sorted.length,
    byClass: { '1xx': 0, '2xx': sorted.length, '3xx': 0, '4xx': 0, '5xx': 0 },
    proxyErrors: 0,
    inFlight: 0,
    latencyMs: { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted.at(-1)! },
    latencyBins: values,
  };
}

const limits = { latencyFactor: 1.5, latencySlackMs: 50 };
const blue = metrics([[18, 1000], [20, 1000], [22, 900], [25, 100]]);

describe('compareLatency', () => {
  it('fails a release whose latencies all rose, though every figure stays under an absolute 500 ms', () => {
    const slow = metrics([[280, 1000], [300, 1000], [320, 1000]]);
    const result = compareLatency('p95', slow, blue, 'blue', limits, Z.p99);
    expect(result.worse).toBe(true);
  });

  it('passes a green whose tail alone is slower (a cold start), even when many samples make the shift significant', () => {
    // 4% of green's requests are slow: p99 grows from 25 to 150 ms and the rank test is significant, but green is
    // slower than blue in only about half the pairs.
    const cold = metrics([[18, 960], [20, 960], [22, 864], [25, 96], [150, 120]]);
    const result = compareLatency('p99', cold, blue, 'blue', limits, Z.p99);
    expect(cold.latencyMs.p99).toBeGreaterThan(blue.latencyMs.p99 * 1.5 + 50);
    expect(result.value).toMatch(/z=\d/);
    const z = Number(/z=(-?[\d.]+)/.exec(result.value)![1]);
    expect(z).toBeGreaterThan(Z.p99);
    expect(Number(/P\(slower\)=([\d.]+)/.exec(result.value)![1])).toBeLessThan(LARGE_EFFECT);
    expect(result.worse).toBe(false);
  });
});
