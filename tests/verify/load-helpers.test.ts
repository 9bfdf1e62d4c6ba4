import { afterEach, describe, expect, it } from 'vitest';
import { failuresBetween, failuresOutside, startLoad } from '../helpers/load.js';
import { type TestServer, startTestServer } from '../helpers/http-server.js';

describe('test upstream server and load generator', () => {
  const servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  const server = async (...args: Parameters<typeof startTestServer>) => {
    const s = await startTestServer(...args);
    servers.push(s);
    return s;
  };

  it('spreads errors exactly and names the release', async () => {
    const app = await server({ errorRate: 0.05, release: 'green' });
    const load = startLoad(app.url, { concurrency: 4, maxRequests: 200 });
    const result = await load.done;
    expect(result).toMatchObject({ total: 200, ok: 190, failed: 10, byRelease: { green: 200 } });
    expect(result.failures.every((f) => f.status === 500 && f.release === 'green')).toBe(true);
    expect(app.errors).toBe(10);
  });

  it('answers health with JSON and 503 when told to fail', async () => {
    const app = await server({ release: 'r9' });
    const ok = await fetch(`${app.url}/health`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ status: 'ok', database: 'ok', release: 'r9' });
    app.setBehaviour({ health: false });
    const failing = await fetch(`${app.url}/health`);
    expect(failing.status).toBe(503);
    await failing.text();
    expect(app.requests).toBe(0);
  });

  it('adds latency', async () => {
    const app = await server({ latencyMs: 60 });
    const started = performance.now();
    await (await fetch(app.url)).text();
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });

  it('stops on demand and tells failures inside a window from those outside', async () => {
    const blue = await server({ release: 'blue' });
    const load = startLoad(blue.url, { concurrency: 2, maxDurationMs: 30_000, recordAll: true });
    await load.waitFor(20);
    const windowStart = Date.now();
    blue.setBehaviour({ errorRate: 1 });
    await load.waitFor(load.snapshot().total + 10);
    blue.setBehaviour({ errorRate: 0 });
    const windowEnd = Date.now();
    await load.waitFor(load.snapshot().total + 20);
    const result = await load.stop();
    expect(result.failed).toBeGreaterThanOrEqual(8);
    expect(failuresBetween(result, windowStart, windowEnd)).toHaveLength(result.failed);
    expect(failuresOutside(result, windowStart, windowEnd)).toEqual([]);
    expect(result.records).toHaveLength(result.total);
    expect(result.endedAt).toBeGreaterThanOrEqual(result.startedAt);
  });

  it('counts connection errors as failures and respects maxDurationMs', async () => {
    const gone = await startTestServer();
    await gone.close();
    const load = startLoad(gone.url, { concurrency: 1, maxDurationMs: 200 });
    const result = await load.done;
    expect(result.total).toBeGreaterThan(0);
    expect(result.failed).toBe(result.total);
    expect(result.failures[0]).toMatchObject({ status: null, release: null, error: 'ECONNREFUSED' });
  });

  it('sees a switch between two releases', async () => {
    const blue = await server({ release: 'blue' });
    const green = await server({ release: 'green' });
    const a = await startLoad(blue.url, { maxRequests: 30 }).done;
    const b = await startLoad(green.url, { maxRequests: 30 }).done;
    expect({ ...a.byRelease, ...b.byRelease }).toEqual({ blue: 30, green: 30 });
  });
});
