import { describe, expect, it } from 'vitest';
import { UpstreamMeter } from '../../src/router/meter.js';
import { blueGreenLabels } from '../../src/verify/compare/judge.js';
import { watchWindow, type WatchResult } from '../../src/verify/window.js';
import { recordRequest, seeded, type TrafficShape } from './compare/traffic.js';

/** The defaults: error rate 1%, p95 500 ms, 200 samples; a 30 s window read every second, early looks on. */
const THRESHOLDS = { errorRate: 0.01, p95Ms: 500, minRequests: 200 };
const WINDOW_MS = 30_000;
const RPS = 50;
/** Random latency jitter around 20 ms, 0.2% 5xx and 1% 404 on both blue and green. */
const HEALTHY: TrafficShape = { medianMs: 20, jitter: 0.5, errors5xx: 0.002, notFound: 0.01 };

/**
 * One blue-green verification as the deploy runs it (src/verify/window.ts, called by post-deploy.ts): blue's
 * figures over the window before the switch are the baseline, and green's traffic lands in the router's own
 * meter while the window sleeps between its reads. The clock is virtual, so 30 s windows take milliseconds.
 */
async function verifyOnce(green: TrafficShape, seed: number): Promise<WatchResult> {
  const rng = seeded(seed);
  let now = 10_000_000;
  const blue = new UpstreamMeter('blue', () => now);
  for (let s = 0; s < WINDOW_MS / 1000; s++, now += 1000) for (let i = 0; i < RPS; i++) recordRequest(blue, HEALTHY, rng);
  const baseline = blue.read(WINDOW_MS);
  const meter = new UpstreamMeter('green', () => now);
  const start = now;
  return watchWindow({
    readMetrics: async () => meter.read(now - start),
    readBaseline: async () => baseline,
    labels: blueGreenLabels,
    thresholds: THRESHOLDS,
    windowMs: WINDOW_MS,
    tickMs: 1_000,
    now: () => now,
    sleep: async (ms) => {
      for (let i = 0; i < (RPS * ms) / 1000; i++) recordRequest(meter, green, rng);
      now += ms;
    },
  });
}

describe('a healthy release under noisy load passes, deploy after deploy (issue 23)', () => {
  it('20 deploys out of 20 pass: no false rollback through the early looks or the end of the window', async () => {
    const results = [];
    for (let seed = 1; seed <= 20; seed++) results.push(await verifyOnce(HEALTHY, 7_000 + seed));
    expect(results.map((r) => r.outcome)).toEqual(Array(20).fill('pass'));
    for (const r of results) {
      expect(r.early).toBe(false);
      expect(r.samples.candidate).toBeGreaterThanOrEqual(THRESHOLDS.minRequests);
    }
  });

  it('the same harness rolls back a release that lost its routes: the passes above are not vacuous', async () => {
    const lost = await verifyOnce({ ...HEALTHY, notFound: 0.9 }, 7_001);
    expect(lost.outcome).toBe('fail');
    expect(lost.results.filter((c) => !c.ok).map((c) => c.name)).toEqual(expect.arrayContaining(['Client Errors vs blue']));
  });
});
