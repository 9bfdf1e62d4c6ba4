import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { generateProbeTraffic } from '../../src/verify/probe.js';
import { type TestServer, startTestServer } from '../helpers/http-server.js';

describe('generateProbeTraffic against a real server', () => {
  let app: TestServer | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('sends exactly the requested count over the paths in turn', async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(req.url!);
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const result = await generateProbeTraffic(url, ['/', '/api/items'], { count: 40, concurrency: 4, deadlineMs: 10_000 });
      expect(result).toMatchObject({ sent: 40, ok: 40, failed: 0, byStatus: { '200': 40 }, cutShort: false });
      expect(seen).toHaveLength(40);
      expect(seen.filter((p) => p === '/api/items')).toHaveLength(20);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('counts 5xx answers as failed', async () => {
    app = await startTestServer({ errorRate: 0.25 });
    const result = await generateProbeTraffic(app.url, ['/'], { count: 100, concurrency: 3, deadlineMs: 10_000 });
    expect(result).toMatchObject({ sent: 100, ok: 75, failed: 25, byStatus: { '200': 75, '500': 25 } });
    expect(app.requests).toBe(100);
  });

  it('stops sending at the deadline on a slow server and lets requests in flight finish', async () => {
    app = await startTestServer({ latencyMs: 100 });
    const result = await generateProbeTraffic(app.url, ['/'], { count: 1_000, concurrency: 2, deadlineMs: 350 });
    expect(result.cutShort).toBe(true);
    expect(result.sent).toBeLessThan(1_000);
    expect(result.sent).toBe(app.requests);
    expect(result.failed).toBe(0);
  });

  it('counts a request over its timeout as failed', async () => {
    app = await startTestServer({ latencyMs: 500 });
    const result = await generateProbeTraffic(app.url, ['/'], { count: 1, concurrency: 1, deadlineMs: 5_000, requestTimeoutMs: 50 });
    expect(result).toMatchObject({ sent: 1, failed: 1, errors: { 'timed out after 50ms': 1 } });
  });

  it('stops when the signal aborts', async () => {
    app = await startTestServer({ latencyMs: 20 });
    const controller = new AbortController();
    const running = generateProbeTraffic(app.url, ['/'], { count: 100_000, concurrency: 2, deadlineMs: 30_000, signal: controller.signal });
    while (app.requests < 5) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    const result = await running;
    expect(result.cutShort).toBe(true);
    expect(result.sent).toBeGreaterThanOrEqual(4);
    expect(result.sent).toBeLessThan(100_000);
  });

  it('counts connection failures with their reason', async () => {
    const closed = await startTestServer();
    await closed.close();
    const result = await generateProbeTraffic(closed.url, ['/'], { count: 5, concurrency: 1, deadlineMs: 5_000 });
    expect(result).toMatchObject({ sent: 5, ok: 0, failed: 5, errors: { 'connection refused (ECONNREFUSED)': 5 } });
  });

  it('keeps at most `concurrency` connections open, and closes them at the end', async () => {
    const open = new Set<Socket>();
    let opened = 0;
    const server = createServer((_req, res) => res.end('ok'));
    // Idle connections would stay open far longer than the test: only the probe's own close ends them.
    server.keepAliveTimeout = 60_000;
    server.on('connection', (socket: Socket) => {
      opened += 1;
      open.add(socket);
      socket.on('close', () => open.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const result = await generateProbeTraffic(url, ['/'], { count: 60, concurrency: 3, deadlineMs: 10_000 });
      expect(result).toMatchObject({ sent: 60, ok: 60 });
      expect(opened).toBeGreaterThanOrEqual(1);
      expect(opened).toBeLessThanOrEqual(3);
      await Promise.all([...open].map((socket) => new Promise((resolve) => socket.once('close', resolve))));
      expect(open.size).toBe(0);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('lets requests in flight finish when stopped, and counts them as answered', async () => {
    const held: Array<() => void> = [];
    let received = 0;
    let twoHeld!: () => void;
    const bothArrived = new Promise<void>((resolve) => (twoHeld = resolve));
    const server = createServer((_req, res) => {
      received += 1;
      held.push(() => res.end('late but fine'));
      if (held.length === 2) twoHeld();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const controller = new AbortController();
      const running = generateProbeTraffic(url, ['/'], { count: 100, concurrency: 2, deadlineMs: 30_000, signal: controller.signal, requestTimeoutMs: 30_000 });
      await bothArrived;
      controller.abort();
      for (const answer of held) answer();
      const result = await running;
      expect(result).toMatchObject({ sent: 2, ok: 2, failed: 0, errors: {}, byStatus: { '200': 2 }, cutShort: true });
      expect(received).toBe(2);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('sends nothing for no paths or no count', async () => {
    app = await startTestServer();
    expect((await generateProbeTraffic(app.url, [], { count: 10, concurrency: 2, deadlineMs: 1_000 })).sent).toBe(0);
    expect((await generateProbeTraffic(app.url, ['/'], { count: 0, concurrency: 2, deadlineMs: 1_000 })).sent).toBe(0);
    expect(app.requests).toBe(0);
  });
});
