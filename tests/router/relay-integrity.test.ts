import { createHash } from 'node:crypto';
import { Agent, createServer, get as httpGet, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, get as httpsGet } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Router } from '../../src/router/router.js';
import { routerWithSelfSignedTls } from '../helpers/tls-router.js';

/**
 * Response bodies go from an upstream connection's read buffer to the client without a copy, so that connection may
 * neither read nor serve another request until the client socket has written them. A client that stops reading now
 * and then, while other requests keep reusing the upstream connections, must still get every byte in order: over
 * plain HTTP, and over TLS (where every write completes later, so the connection is held after each response).
 */
const body = (length: number, period: number) => Buffer.from(Array.from({ length }, (_, i) => i % period));
// Periods that divide no buffer size: bytes from a reused or overwritten buffer would show.
// The last is larger than what the kernel buffers of a loopback connection take (4 MiB send, 128 KiB receive).
const SLOW = [body(2 * 1024 * 1024 + 4099, 251), body(300 * 1024 + 7, 239), body(8 * 1024 * 1024 + 1, 233)];
const FAST = body(64 * 1024 + 3, 241);
const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

let router: Router;
let tls: Awaited<ReturnType<typeof routerWithSelfSignedTls>>;
const upstream = createServer((req, res) => {
  const data = req.url === '/fast' ? FAST : SLOW[Number(req.url!.slice('/slow/'.length))];
  res.writeHead(200, { 'content-length': data.length });
  res.end(data);
});

beforeAll(async () => {
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  tls = await routerWithSelfSignedTls(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`);
  router = tls.router;
});

afterAll(async () => {
  await tls.close();
  await new Promise((resolve) => upstream.close(resolve));
});

describe.each(['http', 'https'] as const)('response bodies relayed without a copy (%s)', (proto) => {
  it('reach a client that stops reading now and then intact, while other requests reuse the upstream connections', async () => {
    const port = proto === 'https' ? router.httpsPort! : router.port;
    const get = proto === 'https' ? httpsGet : httpGet;
    let fastCount = 0;
    let onFast = null as (() => void) | null;
    const fetchBody = (path: string, agent: Agent | undefined, onData?: (res: IncomingMessage, chunk: Buffer) => void) =>
      new Promise<Buffer>((resolve, reject) => {
        get({ host: '127.0.0.1', port, path, agent, rejectUnauthorized: false }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => {
            chunks.push(chunk);
            onData?.(res, chunk);
          });
          res.on('end', () => resolve(Buffer.concat(chunks)));
          res.on('error', reject);
        }).on('error', reject);
      });

    let slowDone = false;
    const fastAgent = proto === 'https' ? new HttpsAgent({ keepAlive: true }) : new Agent({ keepAlive: true });
    const others = (async () => {
      const bodies: Buffer[] = [];
      while (!slowDone) {
        bodies.push(await fetchBody('/fast', fastAgent));
        fastCount++;
        onFast?.();
      }
      return bodies;
    })();
    // The slow client stops after every 256 KiB until three other requests went through meanwhile.
    const slowAgent = proto === 'https' ? new HttpsAgent({ keepAlive: true, maxSockets: 1 }) : new Agent({ keepAlive: true, maxSockets: 1 });
    let sincePause = 0;
    const stopNowAndThen = (res: IncomingMessage, chunk: Buffer) => {
      if ((sincePause += chunk.length) < 256 * 1024) return;
      sincePause = 0;
      res.pause();
      const resumeAt = fastCount + 3;
      onFast = () => {
        if (fastCount < resumeAt) return;
        onFast = null;
        res.resume();
      };
    };
    const received: Buffer[] = [];
    try {
      for (let n = 0; n < SLOW.length; n++) received.push(await fetchBody(`/slow/${n}`, slowAgent, stopNowAndThen));
    } finally {
      slowDone = true;
    }
    const fastBodies = await others;
    fastAgent.destroy();
    slowAgent.destroy();

    expect(received.map((data) => data.length)).toEqual(SLOW.map((data) => data.length));
    expect(received.map(sha)).toEqual(SLOW.map(sha));
    expect(fastBodies.length).toBeGreaterThanOrEqual(3 * SLOW.length);
    expect(new Set(fastBodies.map(sha))).toEqual(new Set([sha(FAST)]));
    expect(router.status().upstreams[0].inFlight).toBe(0);
  });
});
