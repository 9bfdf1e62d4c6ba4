import { describe, expect, it } from 'vitest';
import type { UpstreamMetrics } from '../../src/contracts/metrics.js';
import { watchWindow } from '../../src/verify/window.js';
import { metrics } from './metrics-fixture.js';

const gates = { errorRate: 0.01, p95Ms: 500, minRequests: 200 };

/** A clock that only moves when the window sleeps, so a 30 s window runs in microseconds. */
function fakeClock() {
  let t = 1_000;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    advance: (ms: number) => {
      t += ms;
    },
    elapsed: () => t - 1_000,
    sleeps,
  };
}

/** Traffic that grows with time: `rps` requests per second with the given error share and latency. */
function traffic(clock: ReturnType<typeof fakeClock>, figures: { rps: number; errorShare?: number; p50?: number; p95?: number }) {
  let extra = 0;
  return {
    read: async (): Promise<UpstreamMetrics> => {
      const requests = Math.floor((clock.elapsed() / 1000) * figures.rps) + extra;
      return metrics({ requests, errors: Math.floor(requests * (figures.errorShare ?? 0)), p50: figures.p50, p95: figures.p95 });
    },
    add: (n: number) => {
      extra += n;
    },
  };
}

describe('watchWindow', () => {
  it('passes a healthy release at the end of the window', async () => {
    const clock = fakeClock();
    const source = traffic(clock, { rps: 50, errorShare: 0.002, p95: 120 });
    const result = await watchWindow({ readMetrics: source.read, thresholds: gates, windowMs: 30_000, tickMs: 1_000, now: clock.now, sleep: clock.sleep });
    expect(result.ok).toBe(true);
    expect(result.early).toBe(false);
    expect(result.decidedAtMs).toBe(30_000);
    expect(result.results).toEqual([
      { name: 'Error Rate', ok: true, value: '0.2%', threshold: '< 1%' },
      { name: 'Response Times', ok: true, value: '120ms p95', threshold: '< 500ms' },
    ]);
    expect(clock.sleeps.every((ms) => ms <= 1_000)).toBe(true);
    expect(result.probes).toBe(0);
  });

  it('fails early, well inside the window, on a release answering 5% errors', async () => {
    const clock = fakeClock();
    const source = traffic(clock, { rps: 50, errorShare: 0.05 });
    const result = await watchWindow({ readMetrics: source.read, thresholds: gates, windowMs: 30_000, tickMs: 500, now: clock.now, sleep: clock.sleep });
    expect(result.ok).toBe(false);
    expect(result.early).toBe(true);
    // 5% is clear after 60 requests: a little over one second of 50 rps.
    expect(result.decidedAtMs).toBeLessThanOrEqual(2_000);
    expect(result.results).toHaveLength(1);
    expect(result.results[0]).toMatchObject({ name: 'Error Rate', ok: false, threshold: '< 1%' });
    expect(result.results[0]!.value).toMatch(/^5% \(\d+\/\d+ requests failed, decided early\)$/);
  });

  it('fails early on a slow release and reports the decided checks beside it', async () => {
    const clock = fakeClock();
    const source = traffic(clock, { rps: 100, p50: 650, p95: 700 });
    const result = await watchWindow({ readMetrics: source.read, thresholds: { ...gates, minRequests: 50 }, windowMs: 30_000, tickMs: 1_000, now: clock.now, sleep: clock.sleep });
    expect(result).toMatchObject({ ok: false, early: true, decidedAtMs: 1_000 });
    expect(result.results.map((r) => [r.name, r.ok])).toEqual([
      ['Error Rate', true],
      ['Response Times', false],
    ]);
  });

  it('decides a p95-only breach at the end of the window', async () => {
    const clock = fakeClock();
    const source = traffic(clock, { rps: 50, p50: 40, p95: 700 });
    const result = await watchWindow({ readMetrics: source.read, thresholds: gates, windowMs: 10_000, tickMs: 1_000, now: clock.now, sleep: clock.sleep });
    expect(result).toMatchObject({ ok: false, early: false, decidedAtMs: 10_000 });
    expect(result.results[1]).toEqual({ name: 'Response Times', ok: false, value: '700ms p95', threshold: '< 500ms' });
  });

  it('fails at the end when there is no traffic and no probe: never a pass on zero samples', async () => {
    const clock = fakeClock();
    const result = await watchWindow({ readMetrics: async () => metrics({ requests: 0 }), thresholds: gates, windowMs: 5_000, tickMs: 1_000, now: clock.now, sleep: clock.sleep });
    expect(result.ok).toBe(false);
    expect(result.results.map((r) => r.value)).toEqual(['0 requests (< 200 required)', '0 requests (< 200 required)']);
  });

  it('tops up low traffic with one probe at a time, asking for the shortfall', async () => {
    const clock = fakeClock();
    const source = traffic(clock, { rps: 2 });
    const asked: number[] = [];
    const probe = async (count: number) => {
      asked.push(count);
      clock.advance(200);
      source.add(count);
    };
    const result = await watchWindow({ readMetrics: source.read, probe, thresholds: gates, windowMs: 10_000, tickMs: 1_000, now: clock.now, sleep: clock.sleep });
    expect(result.ok).toBe(true);
    expect(asked).toEqual([220]);
    expect(result.probes).toBe(1);
    expect(result.metrics!.requests).toBeGreaterThanOrEqual(200);
  });

  it('does not start a second probe while one is running, and stops it at the end of the window', async () => {
    const clock = fakeClock();
    let calls = 0;
    let stoppedBy: string | null = null;
    const probe = (_count: number, signal: AbortSignal) =>
      new Promise<void>((resolve) => {
        calls += 1;
        signal.addEventListener('abort', () => {
          stoppedBy = 'window end';
          resolve();
        });
      });
    const result = await watchWindow({ readMetrics: async () => metrics({ requests: 5 }), probe, thresholds: gates, windowMs: 5_000, tickMs: 500, now: clock.now, sleep: clock.sleep });
    expect(calls).toBe(1);
    expect(stoppedBy).toBe('window end');
    expect(result.ok).toBe(false);
  });

  it('returns an early failure without waiting for probe requests in flight', async () => {
    const clock = fakeClock();
    let signalled = false;
    const source = traffic(clock, { rps: 20, errorShare: 0.5 });
    const result = await watchWindow({
      readMetrics: source.read,
      // A probe whose requests are stuck: it notices the signal but never settles.
      probe: (_count, signal) => {
        signal.addEventListener('abort', () => {
          signalled = true;
        });
        return new Promise(() => undefined);
      },
      thresholds: gates,
      windowMs: 30_000,
      tickMs: 500,
      now: clock.now,
      sleep: clock.sleep,
    });
    expect(result).toMatchObject({ ok: false, early: true });
    expect(signalled).toBe(true);
  });

  it('a probe that throws does not decide anything by itself', async () => {
    const clock = fakeClock();
    const source = traffic(clock, { rps: 50 });
    const result = await watchWindow({
      readMetrics: source.read,
      probe: async () => {
        throw new Error('connection refused');
      },
      thresholds: gates,
      windowMs: 10_000,
      tickMs: 1_000,
      now: clock.now,
      sleep: clock.sleep,
    });
    expect(result.ok).toBe(true);
  });

  it('rides over a transient metrics read failure but fails when the final read fails', async () => {
    const clock = fakeClock();
    const source = traffic(clock, { rps: 50 });
    let reads = 0;
    const flaky = async () => {
      reads += 1;
      if (reads === 2) throw new Error('router busy');
      return source.read();
    };
    expect((await watchWindow({ readMetrics: flaky, thresholds: gates, windowMs: 10_000, tickMs: 1_000, now: clock.now, sleep: clock.sleep })).ok).toBe(true);

    const clock2 = fakeClock();
    const broken = await watchWindow({
      readMetrics: async () => {
        throw new Error('connect ENOENT router.sock');
      },
      thresholds: gates,
      windowMs: 3_000,
      tickMs: 1_000,
      now: clock2.now,
      sleep: clock2.sleep,
    });
    expect(broken.ok).toBe(false);
    expect(broken.results).toEqual([{ name: 'Metrics', ok: false, value: 'unreadable: connect ENOENT router.sock', threshold: 'router metrics available' }]);
  });

  it('stops when aborted and says so', async () => {
    const clock = fakeClock();
    const controller = new AbortController();
    const source = traffic(clock, { rps: 50 });
    const result = await watchWindow({
      readMetrics: source.read,
      thresholds: gates,
      windowMs: 30_000,
      tickMs: 1_000,
      now: clock.now,
      sleep: async (ms) => {
        await clock.sleep(ms);
        if (clock.elapsed() >= 3_000) controller.abort();
      },
      signal: controller.signal,
    });
    expect(result).toMatchObject({ ok: false, aborted: true, decidedAtMs: 3_000 });
    expect(result.results[0]).toMatchObject({ name: 'Verification', value: 'aborted after 3000ms' });
  });

  it('can decide only at the end when early detection is off', async () => {
    const clock = fakeClock();
    const source = traffic(clock, { rps: 50, errorShare: 0.05 });
    const result = await watchWindow({ readMetrics: source.read, thresholds: gates, windowMs: 8_000, tickMs: 1_000, now: clock.now, sleep: clock.sleep, early: false });
    expect(result).toMatchObject({ ok: false, early: false, decidedAtMs: 8_000 });
    expect(result.results[0]).toEqual({ name: 'Error Rate', ok: false, value: '5%', threshold: '< 1%' });
  });

  it('reports progress on every tick', async () => {
    const clock = fakeClock();
    const source = traffic(clock, { rps: 50 });
    const seen: number[] = [];
    await watchWindow({ readMetrics: source.read, thresholds: gates, windowMs: 3_000, tickMs: 1_000, now: clock.now, sleep: clock.sleep, onTick: (t) => seen.push(t.metrics.requests) });
    expect(seen).toEqual([0, 50, 100, 150]);
  });

  describe('with a baseline (canary)', () => {
    it('passes a canary like stable and fails one worse than stable early', async () => {
      const clock = fakeClock();
      const canary = traffic(clock, { rps: 30, errorShare: 0.002 });
      const stable = traffic(clock, { rps: 270, errorShare: 0.002 });
      const good = await watchWindow({ readMetrics: canary.read, readBaseline: stable.read, thresholds: gates, windowMs: 10_000, tickMs: 1_000, now: clock.now, sleep: clock.sleep });
      expect(good.ok).toBe(true);
      expect(good.outcome).toBe('pass');
      expect(good.results.map((r) => r.name)).toEqual(['Error Rate', 'Response Times', 'Error Rate vs stable', 'Client Errors vs stable', 'p95 vs stable', 'p99 vs stable']);

      const clock2 = fakeClock();
      const bad = traffic(clock2, { rps: 30, errorShare: 0.2 });
      const stable2 = traffic(clock2, { rps: 270, errorShare: 0.002 });
      const result = await watchWindow({ readMetrics: bad.read, readBaseline: stable2.read, thresholds: gates, windowMs: 10_000, tickMs: 500, now: clock2.now, sleep: clock2.sleep });
      expect(result).toMatchObject({ ok: false, early: true });
      expect(result.decidedAtMs).toBeLessThanOrEqual(1_500);
      expect(result.baseline).not.toBeNull();
    });

    it('asks probes for the shortfall of the scarcer side', async () => {
      const clock = fakeClock();
      const asked: number[] = [];
      await watchWindow({
        readMetrics: async () => metrics({ requests: 150 }),
        readBaseline: async () => metrics({ requests: 20 }),
        probe: async (count) => {
          asked.push(count);
        },
        thresholds: gates,
        windowMs: 1_000,
        tickMs: 1_000,
        now: clock.now,
        sleep: clock.sleep,
      });
      expect(asked[0]).toBe(180 + 18);
    });
  });

  describe('inconclusive', () => {
    it('extends the window while samples are short, then reports inconclusive with the counts', async () => {
      const clock = fakeClock();
      const source = traffic(clock, { rps: 5 });
      const result = await watchWindow({ readMetrics: source.read, thresholds: gates, windowMs: 10_000, extendMs: 10_000, tickMs: 1_000, now: clock.now, sleep: clock.sleep });
      expect(result).toMatchObject({ ok: false, outcome: 'inconclusive', early: false, samples: { candidate: 100, baseline: null } });
      expect(result.extendedMs).toBe(10_000);
      expect(result.results.every((r) => r.inconclusive)).toBe(true);
      expect(result.results[0].value).toBe('100 requests (< 200 required)');
    });

    it('stops extending as soon as the samples are there, and passes', async () => {
      const clock = fakeClock();
      const source = traffic(clock, { rps: 15 });
      const result = await watchWindow({ readMetrics: source.read, thresholds: gates, windowMs: 10_000, extendMs: 20_000, tickMs: 1_000, now: clock.now, sleep: clock.sleep });
      expect(result).toMatchObject({ ok: true, outcome: 'pass', samples: { candidate: 210, baseline: null } });
      expect(result.extendedMs).toBe(4_000);
    });
  });
});
