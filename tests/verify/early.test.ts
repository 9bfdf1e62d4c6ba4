import { describe, expect, it } from 'vitest';
import { detectBreaches } from '../../src/verify/early.js';
import { wilson } from '../../src/verify/stats.js';
import { metrics } from './metrics-fixture.js';

const gates = { errorRate: 0.01, p95Ms: 500, minRequests: 200 };

describe('wilson', () => {
  it('brackets the observed rate and narrows with more samples', () => {
    const small = wilson(5, 100, 2.326);
    const large = wilson(50, 1000, 2.326);
    expect(small.low).toBeLessThan(0.05);
    expect(small.high).toBeGreaterThan(0.05);
    expect(large.high - large.low).toBeLessThan(small.high - small.low);
    expect(wilson(0, 0, 2.326)).toEqual({ low: 0, high: 1 });
  });
});

describe('detectBreaches (early detection)', () => {
  it('fails at once on a release that errors on every request', () => {
    const breaches = detectBreaches(metrics({ requests: 10, errors: 10 }), gates);
    expect(breaches).toEqual([
      { name: 'Error Rate', ok: false, value: '100% (10/10 requests failed, decided early)', threshold: '< 1%' },
    ]);
  });

  it('waits for the minimum early sample count', () => {
    expect(detectBreaches(metrics({ requests: 9, errors: 9 }), gates)).toEqual([]);
  });

  it('catches a 5% error rate well before the window minimum but not on the first error', () => {
    const firstDecisive = [20, 40, 60, 80, 100, 150, 200, 400].find(
      (n) => detectBreaches(metrics({ requests: n, errors: n / 20 }), gates).length > 0,
    );
    expect(firstDecisive).toBeDefined();
    expect(firstDecisive!).toBeLessThanOrEqual(200);
    expect(detectBreaches(metrics({ requests: 20, errors: 1 }), gates)).toEqual([]);
  });

  it('does not fail early on one or two unlucky errors among the first requests', () => {
    expect(detectBreaches(metrics({ requests: 10, errors: 2 }), gates)).toEqual([]);
    expect(detectBreaches(metrics({ requests: 10, errors: 3 }), gates).map((b) => b.name)).toEqual(['Error Rate']);
  });

  it('never fires on a release failing an evenly spread 0.5%, at any look', () => {
    for (let n = 10; n <= 5000; n += 10) {
      expect(detectBreaches(metrics({ requests: n, errors: Math.floor(n * 0.005) }), gates)).toEqual([]);
    }
  });

  it('does not fire on a healthy error rate near the limit', () => {
    for (const n of [50, 200, 1000, 10000]) {
      expect(detectBreaches(metrics({ requests: n, errors: Math.floor(n * 0.009) }), gates)).toEqual([]);
    }
  });

  it('fails early when the median is over the p95 limit', () => {
    const breaches = detectBreaches(metrics({ requests: 12, p50: 620, p95: 700 }), gates);
    expect(breaches).toEqual([
      { name: 'Response Times', ok: false, value: '700ms p95, 620ms p50 (12 requests, decided early)', threshold: '< 500ms' },
    ]);
  });

  it('leaves a p95-only breach to the end of the window (cold starts make early p95s noisy)', () => {
    expect(detectBreaches(metrics({ requests: 500, p50: 30, p95: 700 }), gates)).toEqual([]);
  });
});
