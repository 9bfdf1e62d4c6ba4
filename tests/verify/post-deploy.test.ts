import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { UpstreamMetrics } from '../../src/contracts/metrics.js';
import { type Router, createRouter } from '../../src/router/index.js';
import { sleepFor } from '../../src/verify/clock.js';
import { verifyAfterSwitch } from '../../src/verify/post-deploy.js';
import { type TestServer, startTestServer } from '../helpers/http-server.js';
import { startLoad } from '../helpers/load.js';

/** A real router with a real green behind it, switched just now. */
async function deployed(behaviour: Parameters<typeof startTestServer>[0]) {
  const green = await startTestServer({ release: 'green', ...behaviour });
  const router = await createRouter({ port: 0, host: '127.0.0.1' });
  await router.setActive({ id: 'green', url: green.url });
  const switchedAt = performance.now();
  const publicUrl = `http://127.0.0.1:${router.port}`;
  const readMetrics = async () => router.metrics('green', Math.max(1, Math.ceil(performance.now() - switchedAt)));
  return { green, router, publicUrl, readMetrics };
}

/**
 * Real time, except that the window cannot end before `ready()`: on a loaded
 * machine the probes may need longer than the window to land, and the test is
 * about the flow, not the machine's speed.
 */
function clockGatedBy(windowMs: number, ready: () => boolean) {
  const start = performance.now();
  return {
    now: () => {
      const elapsed = performance.now() - start;
      return ready() ? elapsed : Math.min(elapsed, windowMs - 1);
    },
    sleep: (ms: number, signal?: AbortSignal) => sleepFor(Math.max(ms, 20), signal),
  };
}

describe('verifyAfterSwitch through a real router', () => {
  const cleanup: Array<TestServer | Router> = [];
  afterEach(async () => {
    await Promise.all(cleanup.splice(0).map((c) => c.close()));
  });
  const setup = async (behaviour: Parameters<typeof startTestServer>[0] = {}) => {
    const env = await deployed(behaviour);
    cleanup.push(env.router, env.green);
    return env;
  };
  // A generous p95 limit: on a loaded 2-core box the median itself can pass 500 ms, and these tests are about the flow.
  const gates = { errorRate: 0.01, p95Ms: 10_000, minRequests: 50 };

  it('passes a good release, with probes making up for missing traffic', async () => {
    const { publicUrl, readMetrics, green, router } = await setup();
    const result = await verifyAfterSwitch({
      clock: clockGatedBy(1_000, () => router.metrics('green', 60_000).requests >= 20),
      publicUrl,
      smoke: ['GET /', { path: '/api/items', status: 200 }],
      thresholds: { ...gates, minRequests: 20 },
      windowMs: 1_000,
      tickMs: 100,
      requestTimeoutMs: 10_000,
      readMetrics,
      database: { target: 'health', healthUrl: `${publicUrl}/health`, intervalMs: 200 },
    });
    expect(result.results.map((r) => [r.name, r.ok])).toEqual([
      ['Smoke Tests', true],
      ['Error Rate', true],
      ['Response Times', true],
      ['Database', true],
    ]);
    expect(result.ok).toBe(true);
    expect(result.results[0]!.value).toBe('2/2 passing');
    expect(result.window.probes).toBeGreaterThanOrEqual(1);
    expect(result.window.metrics!.requests).toBeGreaterThanOrEqual(20);
    // Probes went to the smoke paths through the router (health checks make up the rest of the count).
    expect(green.requests).toBeGreaterThan(0);
  });

  it('fails early on a release answering 5% errors under load, with few failed requests', async () => {
    const { publicUrl, readMetrics, green } = await setup({ errorRate: 0.05 });
    const load = startLoad(publicUrl, { concurrency: 4, maxDurationMs: 90_000 });
    try {
      const result = await verifyAfterSwitch({
        publicUrl,
        smoke: ['GET /'],
        thresholds: { ...gates, minRequests: 200 },
        windowMs: 60_000,
        tickMs: 50,
        requestTimeoutMs: 10_000,
        readMetrics,
      });
      expect(result.ok).toBe(false);
      expect(result.early).toBe(true);
      expect(result.decidedAtMs).toBeLessThan(60_000);
      const rate = result.results.find((r) => r.name === 'Error Rate')!;
      expect(rate).toMatchObject({ ok: false, threshold: '< 1%' });
      expect(rate.value).toMatch(/decided early/);
      // No client aborts of our own: every 5xx the router saw came from green.
      expect(result.window.metrics!.proxyErrors).toBe(0);
    } finally {
      await load.stop();
    }
    // Clear at about 60 requests; the load keeps going a little while the decision is taken.
    expect(green.errors).toBeLessThan(100);
  });

  it('fails at once when a smoke test fails through the public URL', async () => {
    const { publicUrl, readMetrics } = await setup({ errorRate: 1 });
    const result = await verifyAfterSwitch({
      publicUrl,
      smoke: ['GET /'],
      thresholds: gates,
      windowMs: 30_000,
      tickMs: 100,
      requestTimeoutMs: 10_000,
      readMetrics,
      probe: false,
    });
    expect(result.ok).toBe(false);
    expect(result.early).toBe(true);
    expect(result.decidedAtMs).toBeLessThan(30_000);
    expect(result.results[0]).toEqual({ name: 'Smoke Tests', ok: false, value: '0/1 passing (GET /: expected 2xx/3xx, got 500)', threshold: 'all passing' });
  });

  it('fails when the database goes away during the window', async () => {
    const { publicUrl, readMetrics, green } = await setup();
    const load = startLoad(publicUrl, { concurrency: 2, maxDurationMs: 90_000 });
    await load.waitFor(5);
    try {
      const verification = verifyAfterSwitch({
        publicUrl,
        smoke: ['GET /'],
        thresholds: gates,
        windowMs: 60_000,
        tickMs: 100,
        requestTimeoutMs: 10_000,
        readMetrics,
        database: { target: 'health', healthUrl: `${green.url}/health`, intervalMs: 50 },
      });
      await load.waitFor(40);
      green.setBehaviour({ health: { database: 'connection refused' } });
      const result = await verification;
      expect(result.ok).toBe(false);
      expect(result.early).toBe(true);
      expect(result.results.at(-1)).toEqual({
        name: 'Database',
        ok: false,
        value: 'unreachable: health reports database "connection refused"',
        threshold: 'connected',
      });
    } finally {
      await load.stop();
    }
  });

  it('returns a failure without waiting for a smoke test still in flight', async () => {
    const { publicUrl, readMetrics } = await setup({ latencyMs: 20_000 });
    const db = await startTestServer({ health: { database: 'down' } });
    cleanup.push(db);
    const started = performance.now();
    const result = await verifyAfterSwitch({
      publicUrl,
      smoke: ['GET /'],
      thresholds: gates,
      windowMs: 60_000,
      tickMs: 100,
      requestTimeoutMs: 30_000,
      readMetrics,
      probe: false,
      database: { target: 'health', healthUrl: `${db.url}/health` },
    });
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(result.ok).toBe(false);
    expect(result.results.map((r) => r.name)).toEqual(['Database']);
  });

  it('never passes a window without traffic when probes are off', async () => {
    const { publicUrl, readMetrics } = await setup();
    const result = await verifyAfterSwitch({
      publicUrl,
      smoke: ['GET /health'],
      thresholds: gates,
      windowMs: 300,
      tickMs: 50,
      requestTimeoutMs: 10_000,
      readMetrics,
      probe: false,
    });
    expect(result.ok).toBe(false);
    expect(result.results.find((r) => r.name === 'Error Rate')!.value).toMatch(/requests \(< 50 required\)$/);
  });

  it('stops when the deploy is aborted', async () => {
    const { publicUrl, readMetrics } = await setup();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const result = await verifyAfterSwitch({
      publicUrl,
      smoke: ['GET /'],
      thresholds: gates,
      windowMs: 30_000,
      tickMs: 50,
      requestTimeoutMs: 10_000,
      readMetrics,
      probe: false,
      signal: controller.signal,
    });
    expect(result.ok).toBe(false);
    expect(result.window.aborted).toBe(true);
    expect(result.results.map((r) => r.name)).toContain('Verification');
  });
});

describe('verifyAfterSwitch: the end of the window', () => {
  it('confirms the endpoints once more while the window takes its last reading, not after it', async () => {
    // A real app: every GET / is a smoke test (there are no probes here).
    let smokes = 0;
    let secondSmoke = () => {};
    const secondSmokeSeen = new Promise<boolean>((resolve) => (secondSmoke = () => resolve(true)));
    const app = createServer((req, res) => {
      if (req.url === '/' && ++smokes === 2) secondSmoke();
      res.end('ok');
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    const publicUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    try {
      // The window's last reading is the one it takes without sleeping first (the others follow a tick's sleep). It
      // waits for the final smoke test (at most 5 s), which only starts alongside it.
      let sleptSinceRead = true;
      let lastReads = 0;
      let lastReadSawTheFinalSmoke: boolean | null = null;
      const clock = {
        now: () => performance.now(),
        sleep: (ms: number, signal?: AbortSignal) => {
          sleptSinceRead = true;
          return sleepFor(ms, signal);
        },
      };
      const readMetrics = async (): Promise<UpstreamMetrics> => {
        const last = !sleptSinceRead;
        sleptSinceRead = false;
        if (last) {
          lastReads += 1;
          const fallback = new Promise<boolean>((resolve) => setTimeout(resolve, 5_000, false).unref());
          lastReadSawTheFinalSmoke = await Promise.race([secondSmokeSeen, fallback]);
        }
        return { upstream: 'green', windowMs: 300, requests: 100, byClass: { '1xx': 0, '2xx': 100, '3xx': 0, '4xx': 0, '5xx': 0 }, proxyErrors: 0, inFlight: 0, latencyMs: { p50: 2, p95: 4, p99: 5, max: 6 } };
      };
      const result = await verifyAfterSwitch({
        clock,
        publicUrl,
        smoke: ['GET /'],
        thresholds: { errorRate: 0.01, p95Ms: 10_000, minRequests: 50 },
        windowMs: 300,
        tickMs: 50,
        requestTimeoutMs: 5_000,
        probe: false,
        early: false,
        readMetrics,
      });
      expect(result.ok).toBe(true);
      expect(result.results[0]).toMatchObject({ name: 'Smoke Tests', ok: true });
      expect(lastReads).toBe(1);
      expect(lastReadSawTheFinalSmoke).toBe(true);
    } finally {
      await new Promise((resolve) => app.close(resolve));
    }
  });
});
