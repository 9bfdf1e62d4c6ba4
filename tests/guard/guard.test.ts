import { describe, expect, it } from 'vitest';
import { Guard, type GuardOptions } from '../../src/guard/guard.js';
import type { GuardDecision, GuardSnapshot, PreviousRelease } from '../../src/guard/types.js';
import { TrafficSim } from './traffic-sim.js';
import { virtualClock } from './virtual-clock.js';

const MIN = 60_000;
const healthy = { rps: 50, errorRate: 0.002, latencyMs: 40 };
const broken = { rps: 50, errorRate: 0.3, latencyMs: 40 };
const thresholds = { errorRate: 0.01, p95Ms: 500, minRequests: 200 };

interface Run {
  guard: Guard;
  breaches: GuardDecision[];
  expiries: GuardSnapshot[];
  ticks: GuardDecision[];
  clock: ReturnType<typeof virtualClock>;
  sim: TrafficSim;
}

function setup(options: Partial<GuardOptions> & { previous?: PreviousRelease; sim?: TrafficSim; clock?: ReturnType<typeof virtualClock> } = {}): Run {
  const clock = options.clock ?? virtualClock();
  const sim = options.sim ?? new TrafficSim(clock.now(), healthy);
  const breaches: GuardDecision[] = [];
  const expiries: GuardSnapshot[] = [];
  const ticks: GuardDecision[] = [];
  const guard = new Guard({
    environment: 'production',
    periodMs: 30 * MIN,
    windowMs: 30_000,
    tickMs: 1000,
    thresholds,
    readMetrics: sim.reader(clock.now),
    previousRelease: () => options.previous ?? 'warm',
    consumer: {
      onBreach: (d) => void breaches.push(d),
      onExpire: (s) => void expiries.push(s),
      onTick: (d) => void ticks.push(d),
    },
    clock,
    ...options,
  });
  return { guard, breaches, expiries, ticks, clock, sim };
}

describe('post-deploy guard', () => {
  it('rolls back while the previous release is warm when the live release starts failing, within one window', async () => {
    const clock = virtualClock();
    const start = clock.now();
    const failAt = start + 2 * MIN + 300;
    const sim = new TrafficSim(start, healthy);
    sim.change(failAt, broken);
    const run = setup({ clock, sim });
    run.guard.start();
    const final = await run.guard.settled();

    expect(final.state).toBe('breached');
    expect(run.breaches).toHaveLength(1);
    const [decision] = run.breaches;
    expect(decision).toMatchObject({ action: 'rollback', cause: 'metrics', previous: 'warm', insufficientTraffic: false });
    expect(decision.figures.find((f) => f.name === 'Error Rate')).toMatchObject({ ok: false, threshold: '< 1%' });
    expect(decision.reason).toMatch(/^Error Rate \d+(\.\d+)?% \(< 1%\)/);
    expect(run.ticks.filter((t) => t.at < failAt).every((t) => t.action === 'watch')).toBe(true);
    const detectionMs = decision.at - failAt;
    expect(detectionMs).toBeGreaterThan(0);
    expect(detectionMs).toBeLessThanOrEqual(30_000);
    expect(run.expiries).toHaveLength(0);
    console.log(`guard detection: ${detectionMs}ms after the release started failing (50 rps, 30% errors, 30s window, 1s tick)`);
  });

  it('only alerts when the previous release is cold, unless configured to roll back anyway', async () => {
    for (const [previous, auto, action] of [
      ['cold', false, 'alert'],
      ['cold', true, 'rollback'],
      ['none', true, 'alert'],
    ] as const) {
      const clock = virtualClock();
      const sim = new TrafficSim(clock.now(), healthy);
      sim.change(clock.now() + MIN, broken);
      const run = setup({ clock, sim, previous, autoRollbackWhenCold: auto });
      run.guard.start();
      const final = await run.guard.settled();
      expect(final.state).toBe('breached');
      expect(run.breaches.map((b) => [b.action, b.previous])).toEqual([[action, previous]]);
      expect(final.note).toMatch(/^Error Rate/);
    }
  });

  it('rolls back on p95 only after it stays over the limit for the confirm ticks', async () => {
    const clock = virtualClock();
    const slowAt = clock.now() + MIN;
    const sim = new TrafficSim(clock.now(), healthy);
    sim.change(slowAt, { rps: 50, errorRate: 0.002, latencyMs: 900 });
    const run = setup({ clock, sim, confirmTicks: 3 });
    run.guard.start();
    await run.guard.settled();
    expect(run.breaches).toHaveLength(1);
    expect(run.breaches[0].reason).toMatch(/^Response Times \d+ms p95 \(< 500ms\)/);
    const overLimit = run.ticks.filter((t) => !t.insufficientTraffic && t.figures.some((f) => f.name === 'Response Times' && !f.ok));
    expect(overLimit.map((t) => t.action)).toEqual(['watch', 'watch', 'rollback']);
    expect(overLimit[0].reason).toContain('(1/3 ticks)');
  });

  it('expires at the end of the period with traffic healthy, and reports time left while watching', async () => {
    const run = setup({ environment: 'staging', periodMs: 5 * MIN });
    const start = run.clock.now();
    let midway: GuardSnapshot | null = null;
    run.guard = new Guard({
      environment: 'staging',
      periodMs: 5 * MIN,
      windowMs: 30_000,
      tickMs: 1000,
      thresholds,
      readMetrics: run.sim.reader(run.clock.now),
      previousRelease: () => 'warm',
      clock: run.clock,
      consumer: {
        onBreach: (d) => void run.breaches.push(d),
        onExpire: (s) => void run.expiries.push(s),
        onTick: () => {
          if (run.clock.now() - start === 2 * MIN) midway = run.guard.state();
        },
      },
    });
    run.guard.start();
    const final = await run.guard.settled();
    expect(final).toMatchObject({ state: 'expired', remainingMs: 0, endsAt: start + 5 * MIN, environment: 'staging' });
    expect(run.expiries).toHaveLength(1);
    expect(run.breaches).toHaveLength(0);
    expect(run.clock.now()).toBe(start + 5 * MIN);
    expect(midway).toMatchObject({ state: 'watching', remainingMs: 3 * MIN });
    expect(final.lastFigures.map((f) => [f.name, f.ok])).toEqual([
      ['Error Rate', true],
      ['Response Times', true],
    ]);
  });

  it('detects a crash loop of the active release and ignores crashes spread out over time', async () => {
    const clock = virtualClock();
    const start = clock.now();
    const crashAt = [start + 3 * MIN, start + 3 * MIN + 20_000, start + 3 * MIN + 40_000];
    const sim = new TrafficSim(start, healthy);
    const read = sim.reader(clock.now);
    const pending = [...crashAt];
    const run = setup({
      clock,
      sim,
      readMetrics: (w) => {
        while (pending.length && pending[0] <= clock.now()) run.guard.recordCrash(pending.shift()!);
        return read(w);
      },
    });
    run.guard.start();
    await run.guard.settled();
    expect(run.breaches).toHaveLength(1);
    expect(run.breaches[0]).toMatchObject({ action: 'rollback', cause: 'crash-loop' });
    expect(run.breaches[0].at).toBe(crashAt[2]);
    expect(run.breaches[0].figures.find((f) => f.name === 'Crash Loop')).toEqual({
      name: 'Crash Loop',
      ok: false,
      value: '3 restarts in the last 1m',
      threshold: '< 3 in 1m',
    });

    const clock2 = virtualClock();
    const spread = [2, 4, 6, 8].map((m) => clock2.now() + m * MIN);
    const sim2 = new TrafficSim(clock2.now(), healthy);
    const read2 = sim2.reader(clock2.now);
    const run2 = setup({
      clock: clock2,
      sim: sim2,
      periodMs: 10 * MIN,
      readMetrics: (w) => {
        while (spread.length && spread[0] <= clock2.now()) run2.guard.recordCrash(spread.shift()!);
        return read2(w);
      },
    });
    run2.guard.start();
    expect((await run2.guard.settled()).state).toBe('expired');
    expect(run2.breaches).toHaveLength(0);
  });

  it('wakes up for a crash loop at once instead of waiting for the next tick (real timers)', async () => {
    let resolveBreach!: (d: GuardDecision) => void;
    const breached = new Promise<GuardDecision>((r) => (resolveBreach = r));
    const started = Date.now();
    const guard = new Guard({
      environment: 'staging',
      periodMs: 10 * MIN,
      windowMs: 30_000,
      tickMs: 5 * MIN,
      thresholds,
      readMetrics: (w) => new TrafficSim(Date.now(), healthy).meter.read(w),
      previousRelease: () => 'warm',
      consumer: { onBreach: resolveBreach, onExpire: () => {} },
    });
    guard.start();
    await new Promise((r) => setTimeout(r, 20));
    for (let i = 0; i < 3; i++) guard.recordCrash();
    const decision = await breached;
    expect(decision).toMatchObject({ action: 'rollback', cause: 'crash-loop' });
    expect(Date.now() - started).toBeLessThan(60_000);
    expect((await guard.settled()).state).toBe('breached');
  });

  it('never breaches on too few samples, and says so instead of passing silently', async () => {
    const clock = virtualClock();
    // 2 requests a second, all failing: 60 in a 30s window, under the 200 required.
    const sim = new TrafficSim(clock.now(), { rps: 2, errorRate: 1, latencyMs: 40 });
    const run = setup({ clock, sim, environment: 'staging', periodMs: 5 * MIN });
    let note: string | null = null;
    run.guard.start();
    const final = await run.guard.settled();
    note = final.note;
    expect(final.state).toBe('expired');
    expect(run.breaches).toHaveLength(0);
    expect(run.ticks.every((t) => t.insufficientTraffic && t.action !== 'rollback')).toBe(true);
    expect(note).toMatch(/^insufficient traffic: \d+ requests in the last 30s \(< 200 required\)$/);
    expect(final.lastFigures.every((f) => !f.ok && /\(< 200 required\)/.test(f.value))).toBe(true);
  });

  it('does not roll back a healthy release on noise near the limit over 30 minutes (Wilson test), which a naive check would', async () => {
    // 0.7% errors against a 1% limit at 50 rps: a plain "errors/requests >= 1%" check trips on chance alone.
    const noisy = { rps: 50, errorRate: 0.007, latencyMs: 40 };
    for (const seed of [1, 2]) {
      const withTest = setup({ sim: new TrafficSim(virtualClock().now(), noisy, seed) });
      withTest.guard.start();
      expect((await withTest.guard.settled()).state).toBe('expired');
      expect(withTest.breaches).toHaveLength(0);

      const naive = setup({ sim: new TrafficSim(virtualClock().now(), noisy, seed), z: 0 });
      naive.guard.start();
      expect((await naive.guard.settled()).state).toBe('breached');
      expect(naive.breaches[0]).toMatchObject({ action: 'rollback', cause: 'metrics' });
    }
  });

  it('stop() ends watching without a breach or expiry callback', async () => {
    const clock = virtualClock();
    let stopAtTick = 0;
    const run = setup({
      clock,
      consumer: {
        onBreach: () => {
          throw new Error('must not breach');
        },
        onExpire: () => {
          throw new Error('must not expire');
        },
        onTick: () => {
          if (++stopAtTick === 10) void run.guard.stop();
        },
      },
    });
    run.guard.start();
    const final = await run.guard.settled();
    expect(final.state).toBe('stopped');
    expect(final.ticks).toBe(10);
    expect(final.remainingMs).toBe(0);
  });

  it('keeps watching when metrics cannot be read, and reports it', async () => {
    const clock = virtualClock();
    let reads = 0;
    const run = setup({
      clock,
      environment: 'staging',
      periodMs: 10_000,
      readMetrics: () => {
        reads += 1;
        throw new Error('router socket closed');
      },
    });
    run.guard.start();
    const final = await run.guard.settled();
    expect(final.state).toBe('expired');
    expect(reads).toBe(11);
    expect(final.note).toBe('unreadable: router socket closed');
    expect(final.lastFigures).toEqual([{ name: 'Metrics', ok: false, value: 'unreadable: router socket closed', threshold: 'router metrics available' }]);
  });

  it('treats an unknown previous-release state as cold (alert, no blind rollback)', async () => {
    const clock = virtualClock();
    const sim = new TrafficSim(clock.now(), broken);
    const errors: unknown[] = [];
    const breaches: GuardDecision[] = [];
    const run = setup({
      clock,
      sim,
      previousRelease: () => {
        throw new Error('state dir unreadable');
      },
      consumer: { onBreach: (d) => void breaches.push(d), onExpire: () => {}, onError: (e) => void errors.push(e) },
    });
    run.guard.start();
    await run.guard.settled();
    expect(breaches[0]).toMatchObject({ action: 'alert', previous: 'cold' });
    expect(errors).toHaveLength(1);
  });
});
