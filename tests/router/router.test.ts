import { afterEach, describe, expect, it } from 'vitest';
import { createRouter, type Router } from '../../src/router/router.js';
import { get, refusedPort, startLoad, startUpstream, until } from './helpers.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function routerWith(...upstreams: { id: string; url: string }[]): Promise<Router & { base: string }> {
  const router = await createRouter({ port: 0, host: '127.0.0.1' });
  cleanups.push(() => router.close(100));
  if (upstreams[0]) await router.setActive(upstreams[0]);
  return Object.assign(router, { base: `http://127.0.0.1:${router.port}` });
}

async function upstream(id: string) {
  const started = await startUpstream(id);
  cleanups.push(() => started.close());
  return started;
}

describe('router proxying', () => {
  it('forwards to the active upstream with X-Forwarded headers and streams bodies both ways', async () => {
    const blue = await upstream('blue');
    const router = await routerWith(blue);
    const answer = await get(`${router.base}/hello`, { 'x-forwarded-for': '10.0.0.9' });
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('blue');
    const headers = blue.seen.at(-1)!;
    // The client is no trusted proxy: its own X-Forwarded-For is replaced, not extended.
    expect(headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(headers['x-real-ip']).toBe('127.0.0.1');
    expect(headers['x-forwarded-proto']).toBe('http');
    expect(headers['x-forwarded-host']).toBe(`127.0.0.1:${router.port}`);
    expect(headers.host).toBe(`127.0.0.1:${router.port}`);

    const payload = 'x'.repeat(300_000);
    const echoed = await fetch(`${router.base}/echo`, { method: 'POST', body: payload });
    expect(await echoed.text()).toBe(payload);
  });

  it('answers 503 when no release is active', async () => {
    const router = await routerWith();
    expect((await get(router.base)).status).toBe(503);
  });

  it('answers 502 for an upstream that refuses connections and counts it', async () => {
    const port = await refusedPort();
    const router = await routerWith({ id: 'dead', url: `http://127.0.0.1:${port}` });
    for (let i = 0; i < 3; i++) expect((await get(router.base)).status).toBe(502);
    const metrics = router.metrics('dead', 60_000);
    expect(metrics.proxyErrors).toBe(3);
    expect(metrics.byClass['5xx']).toBe(3);
    expect(metrics.requests).toBe(3);
  });

  it('records per-upstream metrics that verification can read', async () => {
    const blue = await upstream('blue');
    const router = await routerWith(blue);
    for (let i = 0; i < 20; i++) await get(`${router.base}/`);
    await get(`${router.base}/slow?ms=60`);
    const metrics = router.metrics('blue', 60_000);
    expect(metrics.requests).toBe(21);
    expect(metrics.byClass['2xx']).toBe(21);
    expect(metrics.inFlight).toBe(0);
    expect(metrics.latencyMs.max).toBeGreaterThanOrEqual(55);
  });
});

describe('switching', () => {
  it('switches back and forth under continuous load without a failed request', async () => {
    const blue = await upstream('blue');
    const green = await upstream('green');
    const router = await routerWith(blue);
    const load = startLoad(router.base, 8);
    for (let i = 0; i < 20; i++) {
      const target = i % 2 === 0 ? green : blue;
      await router.setActive(target, { drainTimeoutMs: 1000 });
      // The switch is in effect for the very next request once the call has returned.
      expect((await get(router.base)).body).toBe(target.id);
      const before = load.result.ok;
      await until(() => load.result.ok >= before + 20, 10_000, 'load progress');
    }
    const result = await load.stop();
    expect(result.failures.slice(0, 3)).toEqual([]);
    expect(result.failed).toBe(0);
    expect(result.byRelease.blue).toBeGreaterThan(0);
    expect(result.byRelease.green).toBeGreaterThan(0);
  });

  it('moves an idle client keep-alive connection to the new upstream without breaking it', async () => {
    const { Agent, get: httpGet } = await import('node:http');
    const blue = await upstream('blue');
    const green = await upstream('green');
    const router = await routerWith(blue);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    cleanups.push(async () => agent.destroy());
    const fetchOnAgent = () =>
      new Promise<{ body: string; reused: boolean }>((resolve, reject) => {
        const req = httpGet(router.base, { agent }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ body, reused: req.reusedSocket }));
        });
        req.on('error', reject);
      });
    expect(await fetchOnAgent()).toEqual({ body: 'blue', reused: false });
    await router.setActive(green);
    expect(await fetchOnAgent()).toEqual({ body: 'green', reused: true });
  });

  it('lets an in-flight request on the old upstream finish and reports the drain', async () => {
    const blue = await upstream('blue');
    const green = await upstream('green');
    const router = await routerWith(blue);
    const parked = get(`${router.base}/park`);
    await until(() => router.metrics('blue', 1000).inFlight === 1, 5000, 'parked request');
    await router.setActive(green);
    expect((await get(router.base)).body).toBe('green');

    const timedOut = await router.drain('blue', 30);
    expect(timedOut).toEqual({ drained: false, inFlight: 1 });

    const drain = router.drain('blue', 5000);
    blue.releaseParked();
    expect(await drain).toEqual({ drained: true, inFlight: 0 });
    expect((await parked).body).toBe('blue');
  });

  it('keeps a WebSocket connected to its upstream across a switch', async () => {
    const { WebSocket } = await import('ws');
    const blue = await upstream('blue');
    const green = await upstream('green');
    const router = await routerWith(blue);
    const socket = new WebSocket(`ws://127.0.0.1:${router.port}/ws`);
    const messages: string[] = [];
    socket.on('message', (data) => messages.push(data.toString()));
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    socket.send('one');
    await until(() => messages.length === 1, 5000, 'first echo');
    expect(router.status().upstreams.find((u) => u.id === 'blue')?.websockets).toBe(1);

    await router.setActive(green, { drainTimeoutMs: 50 });
    socket.send('two');
    await until(() => messages.length === 2, 5000, 'second echo');
    expect(messages).toEqual(['blue:one', 'blue:two']);
    expect(socket.readyState).toBe(WebSocket.OPEN);

    const fresh = new WebSocket(`ws://127.0.0.1:${router.port}/ws`);
    await new Promise((resolve, reject) => fresh.once('open', resolve).once('error', reject));
    fresh.send('three');
    const reply = await new Promise<string>((resolve) => fresh.once('message', (data) => resolve(data.toString())));
    expect(reply).toBe('green:three');
    socket.close();
    fresh.close();
  });
});

describe('weighted split', () => {
  it('converges to the canary percentage per request', async () => {
    const blue = await upstream('blue');
    const green = await upstream('green');
    const router = await routerWith(blue);
    await router.setWeights({ upstream: green, percent: 30, sticky: false });
    const load = startLoad(router.base, 4);
    await until(() => load.result.ok >= 2000, 30_000, "2000 requests");
    const result = await load.stop();
    const share = (result.byRelease.green ?? 0) / result.ok;
    expect(result.failed).toBe(0);
    expect(share).toBeGreaterThan(0.25);
    expect(share).toBeLessThan(0.35);
  });

  it('keeps a client on one side with the sticky cookie and splits new clients by weight', async () => {
    const blue = await upstream('blue');
    const green = await upstream('green');
    const router = await routerWith(blue);
    await router.setWeights({ upstream: green, percent: 50, sticky: true });
    const sides: Record<string, number> = {};
    for (let client = 0; client < 200; client++) {
      const first = await get(router.base);
      const cookie = String(first.headers['set-cookie']).split(';')[0];
      expect(cookie).toMatch(/^shipgate_split=/);
      sides[first.body] = (sides[first.body] ?? 0) + 1;
      if (client < 10) {
        for (let again = 0; again < 5; again++) expect((await get(router.base, { cookie })).body).toBe(first.body);
      }
    }
    expect(sides.green).toBeGreaterThan(70);
    expect(sides.blue).toBeGreaterThan(70);

    await router.setWeights({ upstream: green, percent: 0, sticky: true });
    expect(router.table().canary).toBeNull();
    expect((await get(router.base)).body).toBe('blue');
  });
});
