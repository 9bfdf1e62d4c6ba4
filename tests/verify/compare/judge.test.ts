import { describe, expect, it } from 'vitest';
import { clearBreaches, judge } from '../../../src/verify/compare/judge.js';
import { seeded, traffic } from './traffic.js';

const limits = { errorRate: 0.01, p95Ms: 500, minRequests: 200 };

describe('judge against the release being replaced', () => {
  it('fails a release whose routes answer 404 by the 4xx comparison, though no absolute limit is broken', () => {
    const rng = seeded(1);
    const blue = traffic(3000, { medianMs: 15, notFound: 0.002 }, rng);
    const green = traffic(3000, { medianMs: 15, notFound: 0.9 }, rng);
    const verdict = judge(blue, green, limits);
    expect(verdict.outcome).toBe('fail');
    const failed = verdict.reasons.map((r) => r.name);
    expect(failed).toEqual(expect.arrayContaining(['Client Errors vs blue', '404s vs blue']));
    expect(verdict.checks.find((c) => c.name === 'Error Rate')?.ok).toBe(true);
    expect(verdict.reasons.find((r) => r.name === '404s vs blue')?.value).toMatch(/^\d+(\.\d+)?% vs 0\.\d+% blue/);
    expect(verdict.samples).toEqual({ candidate: 3000, baseline: 3000 });
  });

  it('fails a p95 that rose from 20 ms to 300 ms by the rank test, though 300 ms is under the 500 ms limit', () => {
    const rng = seeded(2);
    const blue = traffic(2000, { medianMs: 12, jitter: 0.3 }, rng);
    const green = traffic(2000, { medianMs: 180, jitter: 0.3 }, rng);
    expect(blue.latencyMs.p95).toBeLessThan(25);
    expect(green.latencyMs.p95).toBeGreaterThan(250);
    expect(green.latencyMs.p95).toBeLessThan(500);
    const verdict = judge(blue, green, limits);
    expect(verdict.outcome).toBe('fail');
    expect(verdict.checks.find((c) => c.name === 'Response Times')?.ok).toBe(true);
    const p95 = verdict.reasons.find((r) => r.name === 'p95 vs blue');
    expect(p95?.value).toMatch(/rank test z=\d+/);
    expect(p95?.threshold).toBe('<= 1.5x blue + 50ms');
  });

  it('passes 20 healthy releases out of 20 under jitter and 0.2% 5xx on both sides', () => {
    const rng = seeded(3);
    const shape = { medianMs: 20, jitter: 0.5, errors5xx: 0.002, notFound: 0.01 };
    const outcomes = Array.from({ length: 20 }, () => judge(traffic(1500, shape, rng), traffic(1500, shape, rng), limits).outcome);
    expect(outcomes).toEqual(Array(20).fill('pass'));
  });

  it('is inconclusive, with the sample counts, on too little green traffic', () => {
    const rng = seeded(4);
    const verdict = judge(traffic(2000, { medianMs: 10 }, rng), traffic(150, { medianMs: 10 }, rng), limits);
    expect(verdict.outcome).toBe('inconclusive');
    expect(verdict.reasons.every((r) => r.inconclusive && !r.ok)).toBe(true);
    expect(verdict.reasons[0].value).toBe('150 requests (< 200 required)');
    expect(verdict.reasons.map((r) => r.value)).toContain('green: 150 requests (< 200 required)');
    expect(verdict.samples).toEqual({ candidate: 150, baseline: 2000 });
  });

  it('is inconclusive when blue served too little before the switch', () => {
    const rng = seeded(5);
    const verdict = judge(traffic(40, { medianMs: 10 }, rng), traffic(500, { medianMs: 10 }, rng), limits);
    expect(verdict.outcome).toBe('inconclusive');
    expect(verdict.reasons.map((r) => r.value)).toContain('blue: 40 requests (< 200 required)');
    // The absolute limits were decided on green's own traffic.
    expect(verdict.checks.slice(0, 2).every((c) => c.ok)).toBe(true);
  });

  it('a failure wins over missing samples', () => {
    const rng = seeded(6);
    const verdict = judge(traffic(40, { medianMs: 10 }, rng), traffic(500, { medianMs: 10, errors5xx: 0.2 }, rng), limits);
    expect(verdict.outcome).toBe('fail');
    expect(verdict.reasons.map((r) => r.name)).toEqual(['Error Rate']);
  });

  it('judges the absolute limits alone without a baseline', () => {
    const rng = seeded(7);
    const verdict = judge(null, traffic(500, { medianMs: 10 }, rng), limits);
    expect(verdict).toMatchObject({ outcome: 'pass', reasons: [], samples: { candidate: 500, baseline: null } });
    expect(verdict.checks.map((c) => c.name)).toEqual(['Error Rate', 'Response Times']);
  });

  it('compares p95 on quantiles alone when a platform reports no distribution', () => {
    const rng = seeded(8);
    const { latencyBins: _b, ...blue } = traffic(500, { medianMs: 10 }, rng);
    const { latencyBins: _g, ...green } = traffic(500, { medianMs: 200 }, rng);
    const p95 = judge(blue, green, limits).checks.find((c) => c.name === 'p95 vs blue');
    expect(p95).toMatchObject({ ok: false });
    expect(p95?.value).toMatch(/quantiles only/);
  });
});

describe('judge with other cohorts', () => {
  it('names the cohorts of a feature-flag rollout', () => {
    const rng = seeded(13);
    const verdict = judge(traffic(800, { medianMs: 10 }, rng), traffic(800, { medianMs: 10, errors5xx: 0.05 }, rng), limits, { subject: 'flagged', baseline: 'unflagged' });
    expect(verdict.reasons.map((r) => r.name)).toEqual(['Error Rate', 'Error Rate vs unflagged']);
  });

  it('does not fail on a difference inside the noise of small samples', () => {
    const rng = seeded(14);
    // 2 of 200 against 0 of 2000: 1%, but 200 requests cannot tell that from 0.2% with confidence.
    const stable = traffic(2000, { medianMs: 10 }, rng);
    const canary = { ...traffic(200, { medianMs: 10 }, rng) };
    canary.byClass = { ...canary.byClass, '2xx': canary.byClass['2xx'] - 1, '5xx': 1 };
    const check = judge(stable, canary, { ...limits, errorRate: 0.02 }, { subject: 'canary', baseline: 'stable' }).checks.find((c) => c.name === 'Error Rate vs stable');
    expect(check).toMatchObject({ ok: true });
  });
});

describe('clearBreaches', () => {
  it('stops a 404ing release after a few dozen requests', () => {
    const rng = seeded(9);
    const blue = traffic(2000, { medianMs: 10, notFound: 0.002 }, rng);
    const breaches = clearBreaches(blue, traffic(30, { medianMs: 10, notFound: 0.9 }, rng), limits);
    expect(breaches.map((b) => b.name)).toContain('Client Errors vs blue');
    expect(breaches[0].value).toMatch(/decided early/);
  });

  it('stops a release whose median is past blue p95 allowance', () => {
    const rng = seeded(10);
    const blue = traffic(2000, { medianMs: 12 }, rng);
    const breaches = clearBreaches(blue, traffic(40, { medianMs: 200 }, rng), limits);
    expect(breaches.map((b) => b.name)).toEqual(['p95 vs blue']);
  });

  it('finds nothing in healthy noise, looked at every 50 requests', () => {
    const rng = seeded(12);
    const shape = { medianMs: 20, jitter: 0.5, errors5xx: 0.002, notFound: 0.01 };
    const blue = traffic(3000, shape, rng);
    for (let n = 50; n <= 3000; n += 50) expect(clearBreaches(blue, traffic(n, shape, rng), limits)).toEqual([]);
  });
});
