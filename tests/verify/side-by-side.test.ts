import { afterEach, describe, expect, it } from 'vitest';
import type { UpstreamMetrics } from '../../src/contracts/metrics.js';
import { type Router, createRouter } from '../../src/router/index.js';
import { sleepFor } from '../../src/verify/clock.js';
import { generateProbeTraffic } from '../../src/verify/probe.js';
import { verifyAfterSwitch } from '../../src/verify/post-deploy.js';
import { measureSideBySide } from '../../src/verify/side-by-side.js';
import { type TestServer, startTestServer } from '../helpers/http-server.js';
import { startLoad } from '../helpers/load.js';

/**
 * Blue's baseline is read through a real router while the box is quiet (blue answers at once). Then the box gets
 * busy, or green is slower: each case sets the latencies, switches the router to green, and verifies.
 */
describe('a latency failure against blue, judged on probes, is measured again side by side', () => {
  const cleanup: Array<TestServer | Router> = [];
  afterEach(async () => {
    await Promise.all(cleanup.splice(0).map((c) => c.close()));
  });

  async function setup() {
    const [blue, green, router] = await Promise.all([startTestServer({ release: 'blue' }), startTestServer({ release: 'green' }), createRouter({ port: 0, host: '127.0.0.1' })]);
    cleanup.push(router, blue, green);
    const publicUrl = `http://127.0.0.1:${router.port}`;
    await router.setActive({ id: 'blue', url: blue.url });
    await generateProbeTraffic(publicUrl, ['/'], { count: 40, concurrency: 2, deadlineMs: 30_000 });
    const baseline: UpstreamMetrics = router.metrics('blue', 60_000);
    await router.setActive({ id: 'green', url: green.url });
    const switchedAt = performance.now();
    const verify = (windowMs: number) =>
      verifyAfterSwitch({
        publicUrl,
        smoke: ['GET /'],
        thresholds: { errorRate: 0.01, p95Ms: 10_000, minRequests: 40 },
        windowMs,
        tickMs: 100,
        requestTimeoutMs: 10_000,
        baseline,
        // The end-of-window verdict is what is confirmed; a clear breach during the window stands as it is.
        early: false,
        // On a loaded box the probes may need longer than the window: it cannot end before they landed.
        clock: { now: gated(windowMs, () => router.metrics('green', 60_000).requests >= 40), sleep: (ms, signal) => sleepFor(Math.max(ms, 20), signal) },
        readMetrics: async () => router.metrics('green', Math.max(1, Math.ceil(performance.now() - switchedAt))),
        confirmLatency: () => measureSideBySide(blue.url, green.url, ['/'], { pairs: 30, deadlineMs: 60_000, requestTimeoutMs: 10_000 }),
      });
    return { blue, green, publicUrl, verify, baseline };
  }

  it('the box got busier, both releases are as slow: green passes, and the check keeps both figures', async () => {
    const { blue, green, verify, baseline } = await setup();
    blue.setBehaviour({ latencyMs: 80 });
    green.setBehaviour({ latencyMs: 80 });
    const result = await verify(1_000);
    const p95 = result.results.find((r) => r.name === 'p95 vs blue');
    expect(baseline.latencyMs.p95).toBeLessThan(30);
    expect(p95?.value).toMatch(/ vs [\d.]+ms p95 blue .*; side by side [\d.]+ms vs [\d.]+ms: not confirmed$/);
    expect(p95?.ok).toBe(true);
    expect(result.ok, JSON.stringify(result.results)).toBe(true);
  });

  it('green is slower than blue at the same moments: the failure is confirmed, and it rolls back', async () => {
    const { green, verify } = await setup();
    green.setBehaviour({ latencyMs: 80 });
    const result = await verify(1_000);
    expect(result.ok).toBe(false);
    const p95 = result.results.find((r) => r.name === 'p95 vs blue');
    expect(p95).toMatchObject({ ok: false, value: expect.stringMatching(/; side by side [\d.]+ms vs [\d.]+ms: confirmed$/) });
  });

  it("users' traffic decided: the verdict stands, with no side-by-side measure", async () => {
    const { blue, green, publicUrl, verify } = await setup();
    blue.setBehaviour({ latencyMs: 80 });
    green.setBehaviour({ latencyMs: 80 });
    const load = startLoad(publicUrl, { concurrency: 2, maxDurationMs: 60_000 });
    try {
      await load.waitFor(5);
      const result = await verify(1_000);
      expect(result.ok).toBe(false);
      const p95 = result.results.find((r) => r.name === 'p95 vs blue');
      expect(p95?.ok).toBe(false);
      expect(p95?.value).not.toContain('side by side');
    } finally {
      await load.stop();
    }
  });
});

describe('measureSideBySide', () => {
  const servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('sends each pair to both at once and reports both distributions; a server that refuses counts as failures', async () => {
    const [fast, slow] = await Promise.all([startTestServer({ release: 'fast' }), startTestServer({ release: 'slow', latencyMs: 30 })]);
    servers.push(fast, slow);
    const { baseline, candidate } = await measureSideBySide(fast.url, slow.url, ['/a', '/b'], { pairs: 12, deadlineMs: 60_000, requestTimeoutMs: 10_000 });
    expect([baseline.requests, candidate.requests]).toEqual([12, 12]);
    expect([fast.requests, slow.requests]).toEqual([12, 12]);
    expect(candidate.latencyMs.p50).toBeGreaterThanOrEqual(30);
    expect(baseline.latencyMs.p50).toBeLessThan(candidate.latencyMs.p50);
    expect(candidate.latencyBins!.reduce((n, [, count]) => n + count, 0)).toBe(12);

    const gone = fast.url;
    await fast.close();
    servers.splice(servers.indexOf(fast), 1);
    const refused = await measureSideBySide(gone, slow.url, ['/'], { pairs: 3, deadlineMs: 60_000, requestTimeoutMs: 10_000 });
    expect(refused.baseline).toMatchObject({ requests: 3, proxyErrors: 3 });
    expect(refused.candidate).toMatchObject({ requests: 3, proxyErrors: 0 });
  });
});

/** Real time, except that the window cannot end before `ready()`. */
function gated(windowMs: number, ready: () => boolean): () => number {
  const start = performance.now();
  return () => {
    const elapsed = performance.now() - start;
    return ready() ? elapsed : Math.min(elapsed, windowMs - 1);
  };
}
