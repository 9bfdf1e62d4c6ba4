import { describe, expect, it } from 'vitest';
import { analyzeMetrics, clearlyWorseErrorRate, compareMetrics, errorRate } from '../../src/verify/analysis.js';
import { formatMs, formatPercent } from '../../src/verify/format.js';
import { metrics } from './metrics-fixture.js';

const gates = { errorRate: 0.01, p95Ms: 500, minRequests: 200 };

describe('analyzeMetrics', () => {
  it('passes a healthy release with the summary figures', () => {
    expect(analyzeMetrics(metrics({ requests: 2000, errors: 2, p95: 245 }), gates)).toEqual([
      { name: 'Error Rate', ok: true, value: '0.1%', threshold: '< 1%' },
      { name: 'Response Times', ok: true, value: '245ms p95', threshold: '< 500ms' },
    ]);
  });

  it('never passes on zero samples', () => {
    const results = analyzeMetrics(metrics({ requests: 0 }), gates);
    expect(results.map((r) => r.ok)).toEqual([false, false]);
    expect(results[0]!.value).toBe('0 requests (< 200 required)');
  });

  it('never passes on too few samples, even when they all succeeded', () => {
    const results = analyzeMetrics(metrics({ requests: 12, p95: 5 }), gates);
    expect(results).toEqual([
      { name: 'Error Rate', ok: false, value: '12 requests (< 200 required)', threshold: '< 1%' },
      { name: 'Response Times', ok: false, value: '12 requests (< 200 required)', threshold: '< 500ms' },
    ]);
  });

  it('treats a minimum of zero as one sample', () => {
    expect(analyzeMetrics(metrics({ requests: 0 }), { ...gates, minRequests: 0 })[0]!.ok).toBe(false);
    expect(analyzeMetrics(metrics({ requests: 1 }), { ...gates, minRequests: 0 })[0]!.ok).toBe(true);
  });

  it('fails at the threshold itself, since the gate reads "< 1%"', () => {
    const [rate] = analyzeMetrics(metrics({ requests: 1000, errors: 10 }), gates);
    expect(rate).toMatchObject({ ok: false, value: '1%' });
    expect(analyzeMetrics(metrics({ requests: 1000, errors: 9 }), gates)[0]!.ok).toBe(true);
  });

  it('fails a 5% error rate and a slow p95', () => {
    const results = analyzeMetrics(metrics({ requests: 400, errors: 20, p95: 612 }), gates);
    expect(results).toEqual([
      { name: 'Error Rate', ok: false, value: '5%', threshold: '< 1%' },
      { name: 'Response Times', ok: false, value: '612ms p95', threshold: '< 500ms' },
    ]);
  });

  it('counts proxy errors through the 5xx class and ignores 4xx', () => {
    const m = metrics({ requests: 1000, errors: 0 });
    m.byClass['4xx'] = 300;
    m.byClass['2xx'] = 700;
    expect(errorRate(m)).toBe(0);
    m.byClass['5xx'] = 50;
    m.proxyErrors = 50;
    expect(errorRate(m)).toBe(0.05);
  });

  it('lets zero errors meet a 0% limit', () => {
    const strict = { ...gates, errorRate: 0 };
    expect(analyzeMetrics(metrics({ requests: 300 }), strict)[0]).toMatchObject({ ok: true, threshold: '< 0%' });
    expect(analyzeMetrics(metrics({ requests: 300, errors: 1 }), strict)[0]!.ok).toBe(false);
  });

  it('fails a p95 that is not a number', () => {
    expect(analyzeMetrics(metrics({ requests: 300, p95: Number.NaN }), gates)[1]).toMatchObject({ ok: false, value: 'n/a p95' });
  });
});

describe('compareMetrics (canary against stable in the same window)', () => {
  const t = { ...gates, errorRateMargin: 0.005, p95Factor: 1.5, p95SlackMs: 50 };

  it('passes a canary that behaves like stable', () => {
    const results = compareMetrics(metrics({ requests: 400, errors: 1, p95: 120 }), metrics({ requests: 3600, errors: 4, p95: 110 }), t);
    expect(results.map((r) => [r.name, r.ok])).toEqual([
      ['Error Rate', true],
      ['Error Rate vs stable', true],
      ['Response Times', true],
      ['Response Times vs stable', true],
    ]);
    expect(results[1]).toEqual({ name: 'Error Rate vs stable', ok: true, value: '0.25% vs 0.11% stable', threshold: '<= stable + 0.5pp' });
    expect(results[3]).toEqual({ name: 'Response Times vs stable', ok: true, value: '120ms vs 110ms p95 stable', threshold: '<= 1.5x stable + 50ms' });
  });

  it('fails a canary clearly worse than stable although under the absolute limit', () => {
    // 0.9% against 0.05%: under 1%, but far over stable + 0.5pp with 5000 samples.
    const results = compareMetrics(metrics({ requests: 5000, errors: 45 }), metrics({ requests: 20000, errors: 10 }), t);
    expect(results[0]).toMatchObject({ name: 'Error Rate', ok: true });
    expect(results[1]).toMatchObject({ name: 'Error Rate vs stable', ok: false, value: '0.9% vs 0.05% stable' });
  });

  it('does not fail the relative gate on a difference inside the noise of small samples', () => {
    const results = compareMetrics(metrics({ requests: 200, errors: 1 }), metrics({ requests: 1800, errors: 0 }), t);
    expect(results[1]!.ok).toBe(true);
  });

  it('fails a canary slower than 1.5x stable + 50ms, while under 500ms', () => {
    const results = compareMetrics(metrics({ requests: 300, p95: 400 }), metrics({ requests: 3000, p95: 200 }), t);
    expect(results[2]).toMatchObject({ name: 'Response Times', ok: true });
    expect(results[3]).toMatchObject({ ok: false, value: '400ms vs 200ms p95 stable' });
  });

  it('requires the minimum sample count on both sides', () => {
    const shortCanary = compareMetrics(metrics({ requests: 20 }), metrics({ requests: 3000 }), t);
    expect(shortCanary.every((r) => !r.ok)).toBe(true);
    expect(shortCanary[1]!.value).toBe('canary: 20 requests (< 200 required)');
    const shortStable = compareMetrics(metrics({ requests: 300 }), metrics({ requests: 50 }), { ...t, minBaselineRequests: 100 });
    expect(shortStable.map((r) => r.ok)).toEqual([true, false, true, false]);
    expect(shortStable[1]!.value).toBe('stable: 50 requests (< 100 required)');
  });

  it('names the cohorts for feature-flag rollouts', () => {
    const results = compareMetrics(metrics({ requests: 300 }), metrics({ requests: 300 }), t, { subject: 'flagged', baseline: 'unflagged' });
    expect(results[1]!.name).toBe('Error Rate vs unflagged');
    expect(results[1]!.value).toBe('0% vs 0% unflagged');
  });

  it('uses default margins when none are given', () => {
    const results = compareMetrics(metrics({ requests: 300, p95: 100 }), metrics({ requests: 300, p95: 100 }), gates);
    expect(results[1]!.threshold).toBe('<= stable + 0.5pp');
    expect(results[3]!.threshold).toBe('<= 1.5x stable + 50ms');
  });
});

describe('clearlyWorseErrorRate', () => {
  it('is false when the excess is within the margin', () => {
    expect(clearlyWorseErrorRate({ errors: 4, requests: 1000 }, { errors: 0, requests: 1000 }, 0.005, 1.645)).toBe(false);
  });
  it('is true when both rates are exact and apart by more than the margin', () => {
    expect(clearlyWorseErrorRate({ errors: 100, requests: 100 }, { errors: 0, requests: 100 }, 0.005, 1.645)).toBe(true);
  });
});

describe('formatting', () => {
  it('prints percentages and milliseconds the way the summary shows them', () => {
    expect([formatPercent(0.001), formatPercent(0.0123), formatPercent(0), formatPercent(1)]).toEqual(['0.1%', '1.23%', '0%', '100%']);
    expect([formatMs(245.4), formatMs(3.44), formatMs(0)]).toEqual(['245ms', '3.4ms', '0ms']);
  });
});
