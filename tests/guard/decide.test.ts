import { describe, expect, it } from 'vitest';
import type { UpstreamMetrics } from '../../src/contracts/metrics.js';
import { crashLoopCheck, recentCrashes } from '../../src/guard/crash-loop.js';
import { breachAction, evaluateTick } from '../../src/guard/decide.js';
import { defaultGuardPeriodMs, warmPeriodMs } from '../../src/guard/period.js';
import { assessTraffic, defaultTrafficRules } from '../../src/guard/traffic.js';
import { defaultCrashLoop } from '../../src/guard/types.js';

const thresholds = { errorRate: 0.01, p95Ms: 500, minRequests: 200 };
const rules = { thresholds, ...defaultTrafficRules };

function metrics(requests: number, errors: number, p95 = 50): UpstreamMetrics {
  return {
    upstream: 'green',
    windowMs: 30_000,
    requests,
    byClass: { '1xx': 0, '2xx': requests - errors, '3xx': 0, '4xx': 0, '5xx': errors },
    proxyErrors: 0,
    inFlight: 0,
    latencyMs: { p50: p95 / 2, p95, p99: p95, max: p95 },
  };
}

const base = { now: 1_000, endsAt: 10_000, crashes: [], crashLoop: defaultCrashLoop, rules, p95Streak: 0 };

describe('guard decisions', () => {
  it('breach action: warm rolls back; cold alerts unless configured; no previous release always alerts', () => {
    expect(breachAction('warm', false)).toBe('rollback');
    expect(breachAction('warm', true)).toBe('rollback');
    expect(breachAction('cold', false)).toBe('alert');
    expect(breachAction('cold', true)).toBe('rollback');
    expect(breachAction('none', true)).toBe('alert');
  });

  it('uses the verification figures and breaches on a clear error rate', () => {
    const v = evaluateTick({ ...base, metrics: metrics(1000, 80) });
    expect(v.verdict).toBe('breach');
    expect(v.cause).toBe('metrics');
    expect(v.breaches).toEqual([{ name: 'Error Rate', ok: false, value: '8%', threshold: '< 1%' }]);
    expect(v.figures).toEqual([
      { name: 'Error Rate', ok: false, value: '8%', threshold: '< 1%' },
      { name: 'Response Times', ok: true, value: '50ms p95', threshold: '< 500ms' },
    ]);
  });

  it('an error rate just over the limit is reported but not yet a breach', () => {
    const v = evaluateTick({ ...base, metrics: metrics(300, 4) });
    expect(v.verdict).toBe('ok');
    expect(v.figures[0].ok).toBe(false);
    expect(v.note).toBe('Error Rate 1.33% over the limit but not yet clear of noise');
    expect(evaluateTick({ ...base, metrics: metrics(300, 4), rules: { ...rules, z: 0 } }).verdict).toBe('breach');
  });

  it('never breaches below the minimum sample count, even at 100% errors, and says why', () => {
    const v = evaluateTick({ ...base, metrics: metrics(199, 199, 5000) });
    expect(v.verdict).toBe('ok');
    expect(v.insufficient).toBe(true);
    expect(v.note).toBe('insufficient traffic: 199 requests in the last 30s (< 200 required)');
    expect(v.figures.every((f) => !f.ok)).toBe(true);
    expect(v.p95Streak).toBe(0);
  });

  it('p95 breaches after confirmTicks consecutive slow ticks; a healthy tick resets the streak', () => {
    const slow = metrics(1000, 0, 800);
    const t1 = assessTraffic(slow, rules, 0);
    expect(t1).toMatchObject({ breaches: [], p95Streak: 1, note: 'Response Times 800ms p95 over the limit (1/2 ticks)' });
    const t2 = assessTraffic(slow, rules, t1.p95Streak);
    expect(t2.breaches).toEqual([{ name: 'Response Times', ok: false, value: '800ms p95', threshold: '< 500ms' }]);
    expect(assessTraffic(metrics(1000, 0, 100), rules, 1).p95Streak).toBe(0);
  });

  it('expires at the end of the period, but a breach on the last tick wins', () => {
    expect(evaluateTick({ ...base, now: 10_000, metrics: metrics(1000, 1) }).verdict).toBe('expired');
    expect(evaluateTick({ ...base, now: 10_000, metrics: metrics(1000, 200) }).verdict).toBe('breach');
    expect(evaluateTick({ ...base, now: 10_000, metrics: null, metricsError: 'closed' })).toMatchObject({ verdict: 'expired', note: 'unreadable: closed' });
  });

  it('crash loop: N restarts within M ms of now', () => {
    const rule = { restarts: 3, withinMs: 60_000 };
    expect(recentCrashes([0, 30_000, 59_000], 60_000, rule)).toBe(3);
    expect(recentCrashes([0, 30_000, 59_000], 60_001, rule)).toBe(2);
    expect(crashLoopCheck([10, 20], 100, rule)).toEqual({ name: 'Crash Loop', ok: true, value: '2 restarts in the last 1m', threshold: '< 3 in 1m' });
    const v = evaluateTick({ ...base, now: 60_000, crashes: [1_000, 2_000, 3_000], metrics: metrics(10, 0) });
    expect(v).toMatchObject({ verdict: 'breach', cause: 'crash-loop', insufficient: true });
    expect(v.breaches[0]).toMatchObject({ name: 'Crash Loop', ok: false, value: '3 restarts in the last 1m' });
  });

  it('default periods and warm coverage', () => {
    expect(defaultGuardPeriodMs('production')).toBe(30 * 60_000);
    expect(defaultGuardPeriodMs('staging')).toBe(5 * 60_000);
    expect(warmPeriodMs(15 * 60_000, 30 * 60_000)).toBe(30 * 60_000);
    expect(warmPeriodMs(60 * 60_000, 30 * 60_000)).toBe(60 * 60_000);
  });
});

describe('guard status line', () => {
  it('describes each state for deploy status', async () => {
    const { describeGuard } = await import('../../src/guard/status-line.js');
    const figures = [{ name: 'Error Rate', ok: true, value: '0.1%', threshold: '< 1%' }];
    const s = { environment: 'production', startedAt: 0, endsAt: 1_800_000, lastFigures: figures, note: null, decision: null, ticks: 3 };
    expect(describeGuard({ ...s, state: 'watching', remainingMs: 750_000 })).toBe('watching, 12m 30s left: Error Rate 0.1%');
    expect(describeGuard({ ...s, state: 'watching', remainingMs: 5_000, note: 'insufficient traffic: 3 requests in the last 30s (< 200 required)' })).toBe(
      'watching, 5s left: insufficient traffic: 3 requests in the last 30s (< 200 required)',
    );
    const decision = { action: 'rollback' as const, reason: 'Error Rate 8% (< 1%)', figures, insufficientTraffic: false, cause: 'metrics' as const, previous: 'warm' as const, at: 1 };
    expect(describeGuard({ ...s, state: 'breached', remainingMs: 0, decision })).toBe('breached, rolled back: Error Rate 8% (< 1%)');
    expect(describeGuard({ ...s, state: 'expired', remainingMs: 0 })).toBe('ended without a breach: Error Rate 0.1%');
    expect(describeGuard({ ...s, state: 'stopped', remainingMs: 0 })).toBe('stopped early');
  });
});
