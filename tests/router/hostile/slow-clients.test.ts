import { createServer } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startUpstream, until } from '../helpers.js';
import { rawExchange } from '../raw.js';
import { hostileRouter, recorder } from './recorder.js';

/**
 * Clients that hold the router's resources: slowloris heads, stalled bodies, clients that never read, idle tunnels,
 * too many connections. Timeouts are injected short (150 ms); each case waits for an event or a state, never a time.
 */
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function open(port: number): Promise<Socket> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.on('error', () => undefined);
    cleanups.push(async () => void socket.destroy());
  });
}

describe('hostile clients: slow and silent', () => {
  it('answers 408 to a head that never ends (slowloris) and forwards nothing', async () => {
    const upstream = await recorder();
    cleanups.push(() => upstream.close());
    const router = await hostileRouter(upstream.url, {}, cleanups);
    const reply = await rawExchange(router.port, ['GET / HTTP/1.1\r\nHost: x\r\n', 'X-A: 1\r\n']);
    expect(reply).toMatch(/^HTTP\/1\.1 408 /);
    expect(upstream.received).toEqual([]);
    await until(() => router.status().clients.connections === 0, 10_000, 'the router to forget the connection');
  });

  it('cuts a request body that stops arriving, and the upstream connection with it', async () => {
    const upstream = await recorder(() => undefined);
    cleanups.push(() => upstream.close());
    const router = await hostileRouter(upstream.url, {}, cleanups);
    const reply = await rawExchange(router.port, ['POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc']);
    expect(reply).toMatch(/^HTTP\/1\.1 408 /);
    expect(upstream.received[0]).toMatch(/^POST \/upload HTTP\/1\.1\r\n[\s\S]*\r\n\r\nabc$/);
    await until(() => upstream.open === 0, 10_000, 'the upstream connection to close');
    expect(router.status()).toMatchObject({ clients: { connections: 0 }, upstreams: [{ inFlight: 0 }] });
    expect(router.metrics('up', 60_000).byClass['4xx']).toBe(1);
  });

  it('disconnects a client that never reads its response, and drops the upstream connection', async () => {
    const body = Buffer.alloc(16 * 1024 * 1024, 0x61);
    const upstream = await recorder((socket) => {
      socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n\r\n`);
      socket.write(body);
    });
    cleanups.push(() => upstream.close());
    const router = await hostileRouter(upstream.url, {}, cleanups);
    const client = await open(router.port);
    client.pause();
    client.write('GET /big HTTP/1.1\r\nHost: x\r\n\r\n');
    await until(() => upstream.heads.length === 1, 10_000, 'the request to reach the upstream');
    await until(() => router.status().clients.connections === 0, 10_000, 'the router to drop the non-reading client');
    await until(() => upstream.open === 0, 10_000, 'the upstream connection to close');
    expect(router.metrics('up', 60_000)).toMatchObject({ requests: 1, inFlight: 0 });
    expect(router.metrics('up', 60_000).byClass['4xx']).toBe(1);
  });

  it('closes an idle keep-alive connection', async () => {
    const upstream = await recorder();
    cleanups.push(() => upstream.close());
    const router = await hostileRouter(upstream.url, { limits: { keepAliveTimeoutMs: 150 } }, cleanups);
    const reply = await rawExchange(router.port, ['GET / HTTP/1.1\r\nHost: x\r\n\r\n']);
    expect(reply).toBe('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
    await until(() => router.status().clients.connections === 0, 10_000, 'the router to forget the connection');
  });

  it('closes an idle WebSocket, and counts it gone', async () => {
    const blue = await startUpstream('blue');
    cleanups.push(() => blue.close());
    const router = await hostileRouter(blue.url, {}, cleanups);
    const socket = new WebSocket(`ws://127.0.0.1:${router.port}/ws`);
    cleanups.push(async () => socket.terminate());
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    expect(router.status().upstreams[0].websockets).toBe(1);
    await new Promise((resolve) => socket.once('close', resolve));
    await until(() => router.status().upstreams[0].websockets === 0, 10_000, 'the tunnel to be counted closed');
  });

  it('closes the WebSockets of a switched-away release at the drain deadline', async () => {
    const blue = await startUpstream('blue');
    const green = await startUpstream('green');
    cleanups.push(() => blue.close(), () => green.close());
    const router = await hostileRouter(blue.url, { limits: { tunnelIdleTimeoutMs: 600_000 } }, cleanups);
    const socket = new WebSocket(`ws://127.0.0.1:${router.port}/ws`);
    cleanups.push(async () => socket.terminate());
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    await router.setActive({ id: 'green', url: green.url }, { drainTimeoutMs: 50 });
    await closed;
    await until(() => router.status().upstreams.every((upstream) => upstream.websockets === 0), 10_000, 'no tunnel left');
  });

  it('streams server-sent events as they come, never buffered', async () => {
    let finish: () => void = () => undefined;
    const events = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write('data: first\n\n');
      finish = () => res.end('data: last\n\n');
    });
    await new Promise<void>((resolve) => events.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => events.close(resolve)));
    const router = await hostileRouter(`http://127.0.0.1:${(events.address() as AddressInfo).port}`, {}, cleanups);
    const response = await fetch(`http://127.0.0.1:${router.port}/events`);
    const reader = response.body!.getReader();
    // The first event arrives while the upstream still holds the response open.
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: first\n\n');
    finish();
    let rest = '';
    for (let part = await reader.read(); !part.done; part = await reader.read()) rest += new TextDecoder().decode(part.value);
    expect(rest).toBe('data: last\n\n');
  });

  it('refuses connections over the per-client cap with 503, and takes them again once one closes', async () => {
    const upstream = await recorder();
    cleanups.push(() => upstream.close());
    const router = await hostileRouter(upstream.url, { limits: { maxConnectionsPerClient: 2 } }, cleanups);
    const first = await open(router.port);
    await open(router.port);
    await until(() => router.status().clients.connections === 2, 10_000, 'two connections');
    expect(await rawExchange(router.port, ['GET / HTTP/1.1\r\nHost: x\r\n\r\n'])).toMatch(/^HTTP\/1\.1 503 [\s\S]*Too many connections/);
    first.destroy();
    await until(() => router.status().clients.connections === 1, 10_000, 'one connection');
    expect(await rawExchange(router.port, ['GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'])).toMatch(/^HTTP\/1\.1 200 /);
    expect(upstream.heads).toHaveLength(1);
  });

  it('refuses connections over the total cap with 503', async () => {
    const upstream = await recorder();
    cleanups.push(() => upstream.close());
    const router = await hostileRouter(upstream.url, { limits: { maxConnections: 1 } }, cleanups);
    await open(router.port);
    await until(() => router.status().clients.connections === 1, 10_000, 'one connection');
    expect(await rawExchange(router.port, ['GET / HTTP/1.1\r\nHost: x\r\n\r\n'])).toMatch(/^HTTP\/1\.1 503 /);
    expect(upstream.received).toEqual([]);
  });
});
