import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { Router } from '../../src/router/router.js';
import { routerWithSelfSignedTls } from '../helpers/tls-router.js';

/**
 * A WebSocket's upstream bytes go to the client straight from the upstream connection's read buffer, without a copy,
 * so that connection may read nothing until the client socket has written them. Both ends (the `ws` package) send
 * megabytes at once, in messages of sizes that divide no buffer size, while the client stops reading now and then:
 * every message must arrive whole and in order both ways, over plain HTTP and over TLS.
 */
const MESSAGES = 96;
/** Message n: `size(n)` bytes counting from n with a period that divides no buffer size; about 12 MiB each way. */
const size = (n: number) => 1 + ((n * 40_009) % 262_139);
const message = (n: number, period: number) => Buffer.from(Array.from({ length: size(n) }, (_, i) => (n + i) % period));
const UP = Array.from({ length: MESSAGES }, (_, n) => message(n, 251));
const DOWN = Array.from({ length: MESSAGES }, (_, n) => message(n, 241));

let router: Router;
let tls: Awaited<ReturnType<typeof routerWithSelfSignedTls>>;
let upstream: WebSocketServer;
/** What the upstream received on each connection, message by message. */
const received: Buffer[][] = [];

beforeAll(async () => {
  upstream = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 1024 * 1024 });
  upstream.on('connection', (socket) => {
    const messages: Buffer[] = [];
    received.push(messages);
    socket.on('message', (data: RawData) => messages.push(data as Buffer));
    for (const data of DOWN) socket.send(data);
  });
  await new Promise((resolve) => upstream.once('listening', resolve));
  tls = await routerWithSelfSignedTls(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`);
  router = tls.router;
});

afterAll(async () => {
  await tls.close();
  await new Promise((resolve) => upstream.close(resolve));
});

describe.each(['ws', 'wss'] as const)('a WebSocket relayed without a copy (%s)', (scheme) => {
  it('carries megabytes both ways at once, every message whole and in order, to a client that stops reading now and then', async () => {
    const port = scheme === 'wss' ? router.httpsPort! : router.port;
    const client = new WebSocket(`${scheme}://127.0.0.1:${port}/`, { rejectUnauthorized: false, maxPayload: 1024 * 1024 });
    const got: Buffer[] = [];
    const allDown = new Promise<void>((resolve, reject) => {
      client.on('message', (data: RawData) => {
        got.push(data as Buffer);
        // Stop reading for a moment every 8 messages: the router's writes to this client queue up meanwhile.
        if (got.length % 8 === 0) {
          client.pause();
          setTimeout(() => client.resume(), 5);
        }
        if (got.length === MESSAGES) resolve();
      });
      client.once('error', reject);
      client.once('close', () => reject(new Error(`closed after ${got.length} messages`)));
    });
    await new Promise((resolve, reject) => client.once('open', resolve).once('error', reject));
    expect(router.status().upstreams.find((u) => u.id === 'up')?.websockets).toBe(1);
    const sent = Promise.all(UP.map((data) => new Promise<void>((resolve, reject) => client.send(data, (error) => (error ? reject(error) : resolve())))));
    await Promise.all([allDown, sent]);

    expect(got.map((data) => data.length)).toEqual(DOWN.map((data) => data.length));
    expect(got.findIndex((data, n) => !data.equals(DOWN[n]))).toBe(-1);
    // The upstream has every client message once the client closes (its close frame follows them).
    const upstreamSide = received.at(-1)!;
    client.close();
    await new Promise((resolve) => client.once('close', resolve));
    expect(upstreamSide.map((data) => data.length)).toEqual(UP.map((data) => data.length));
    expect(upstreamSide.findIndex((data, n) => !data.equals(UP[n]))).toBe(-1);
    await expect.poll(() => router.status().upstreams.find((u) => u.id === 'up')?.websockets).toBe(0);
  });
});
