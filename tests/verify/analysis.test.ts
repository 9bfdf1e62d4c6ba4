import { describe, expect, it } from 'vitest';
import { analyzeMetrics, errorRate } from '../../src/verify/analysis.js';
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

describe('formatting', () => {
  it('prints percentages and milliseconds the way the summary shows them', () => {
    expect([formatPercent(0.001), formatPercent(0.0123), formatPercent(0), formatPercent(1)]).toEqual(['0.1%', '1.23%', '0%', '100%']);
    expect([formatMs(245.4), formatMs(3.44), formatMs(0)]).toEqual(['245ms', '3.4ms', '0ms']);
  });
});
