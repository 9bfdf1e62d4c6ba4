import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createRouter, type Router } from '../../src/router/router.js';
import { startUpstream, until } from './helpers.js';
import { pathOf, rawExchange, rawUpstream, splitResponses } from './raw.js';

/** The router's HTTP/1.1 framing layer over real sockets: what reaches the upstream, what the client gets back. */
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function routerTo(url: string, id = 'up'): Promise<Router> {
  const router = await createRouter({ port: 0, host: '127.0.0.1' });
  cleanups.push(() => router.close(100));
  await router.setActive({ id, url });
  return router;
}

async function raw(answer: Parameters<typeof rawUpstream>[0]) {
  const upstream = await rawUpstream(answer);
  cleanups.push(() => upstream.close());
  return upstream;
}

const CHUNKED_BODY = '5\r\nhello\r\n1;ext=1\r\n \r\nA\r\n0123456789\r\n0\r\nx-trailer: yes\r\n\r\n';
const DECODED = 'hello 0123456789';

describe('HTTP/1.1 framing through the router', () => {
  it('relays a chunked request body split at every byte boundary', async () => {
    const blue = await startUpstream('blue');
    cleanups.push(() => blue.close());
    const router = await routerTo(blue.url);
    const head = 'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n';
    for (let split = 0; split <= CHUNKED_BODY.length; split++) {
      const reply = await rawExchange(router.port, [head + CHUNKED_BODY.slice(0, split), CHUNKED_BODY.slice(split)]);
      const [response] = splitResponses(reply);
      expect(response.head, `split at ${split}`).toMatch(/^HTTP\/1\.1 200 /);
      expect(response.body, `split at ${split}`).toBe(DECODED);
    }
  });

  it('reads a request head sent one byte at a time and a response head split at every byte boundary', async () => {
    const responseHead = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n';
    const upstream = await raw((socket, head) => {
      const split = Number(new URL(pathOf(head), 'http://x').searchParams.get('split') ?? responseHead.length);
      socket.setNoDelay(true);
      socket.write(responseHead.slice(0, split));
      setTimeout(() => socket.write(`${responseHead.slice(split)}ok`), 2);
    });
    const router = await routerTo(upstream.url);
    const request = 'GET /one HTTP/1.1\r\nHost: shop.example:8080\r\nConnection: close\r\n\r\n';
    const reply = await rawExchange(router.port, [...request]);
    expect(reply).toBe('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nconnection: close\r\n\r\nok');
    // The router's lines come first: the client's address, the scheme and the Host value.
    expect(upstream.heads[0]).toBe(
      'GET /one HTTP/1.1\r\nx-forwarded-for: 127.0.0.1\r\nx-forwarded-proto: http\r\nx-real-ip: 127.0.0.1\r\nforwarded: for=127.0.0.1;proto=http\r\n' +
        'x-forwarded-host: shop.example:8080\r\nHost: shop.example:8080',
    );
    for (let split = 1; split < responseHead.length; split++) {
      const response = await fetch(`http://127.0.0.1:${router.port}/?split=${split}`);
      expect(await response.text(), `split at ${split}`).toBe('ok');
      expect(response.headers.get('keep-alive'), `split at ${split}`).toBeNull();
    }
  });

  it('relays a chunked response body split at every byte boundary, unchanged', async () => {
    const upstream = await raw((socket, head) => {
      const split = Number(new URL(pathOf(head), 'http://x').searchParams.get('split'));
      socket.write(`HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n${CHUNKED_BODY.slice(0, split)}`);
      setTimeout(() => socket.write(CHUNKED_BODY.slice(split)), 2);
    });
    const router = await routerTo(upstream.url);
    for (let split = 0; split <= CHUNKED_BODY.length; split++) {
      const response = await fetch(`http://127.0.0.1:${router.port}/?split=${split}`);
      expect(await response.text(), `split at ${split}`).toBe(DECODED);
    }
    // Keep-alive on both sides: far fewer upstream connections than requests.
    expect(upstream.connections).toBeLessThan(5);
    expect(router.metrics('up', 60_000).byClass['2xx']).toBe(CHUNKED_BODY.length + 1);
  });

  it('answers pipelined requests one at a time, in order', async () => {
    const upstream = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      // Later requests answer sooner: the order must still be the order they were sent in.
      const delay = req.url === '/one' ? 40 : 0;
      req.on('end', () => setTimeout(() => res.end(`${req.method} ${req.url} ${Buffer.concat(chunks).toString()}`), delay));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => upstream.close(resolve)));
    const router = await routerTo(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`);
    const requests =
      'GET /one HTTP/1.1\r\nHost: x\r\n\r\n' +
      'POST /two HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc' +
      'POST /three HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\n' +
      'GET /four HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
    const responses = splitResponses(await rawExchange(router.port, [requests]));
    expect(responses.map((r) => r.body)).toEqual(['GET /one ', 'POST /two abc', 'POST /three de', 'GET /four ']);
    expect(responses[3].head).toMatch(/\r\nconnection: close/i);
  });

  it('knows HEAD, 204 and 304 answers have no body, whatever their headers say', async () => {
    const upstream = await raw((socket, head) => {
      const path = pathOf(head);
      if (head.startsWith('HEAD')) socket.write('HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n');
      else if (path === '/no-content') socket.write('HTTP/1.1 204 No Content\r\n\r\n');
      else if (path === '/not-modified') socket.write('HTTP/1.1 304 Not Modified\r\ncontent-length: 10\r\netag: "v1"\r\n\r\n');
      else socket.write('HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nafter');
    });
    const router = await routerTo(upstream.url);
    const reply = await rawExchange(router.port, [
      'HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET /no-content HTTP/1.1\r\nHost: x\r\n\r\nGET /not-modified HTTP/1.1\r\nHost: x\r\n\r\n' +
        'GET /after HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    ]);
    const responses = splitResponses(reply, (index) => index < 3);
    expect(responses.map((r) => r.head.split('\r\n')[0])).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 204 No Content', 'HTTP/1.1 304 Not Modified', 'HTTP/1.1 200 OK']);
    expect(responses[0].head).toMatch(/content-length: 1000/);
    expect(responses[3].body).toBe('after');
    // One upstream connection carried all four: the framing never went out of step.
    expect(upstream.connections).toBe(1);
  });

  it('relays a close-delimited response and then closes the client connection', async () => {
    const upstream = await raw((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nuntil ');
      setTimeout(() => socket.end('the end'), 5);
    });
    const router = await routerTo(upstream.url);
    const reply = await rawExchange(router.port, ['GET / HTTP/1.1\r\nHost: x\r\n\r\n']);
    const [response] = splitResponses(reply);
    expect(response.head).toMatch(/\r\nconnection: close/i);
    expect(response.body).toBe('until the end');
    expect(router.metrics('up', 60_000)).toMatchObject({ requests: 1, proxyErrors: 0, byClass: { '2xx': 1 } });
  });

  it('answers 400 to malformed heads and 431 to oversized ones, forwarding nothing', async () => {
    const upstream = await raw((socket) => socket.write('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'));
    const router = await routerTo(upstream.url);
    const bad = [
      'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: x\r\n folded: value\r\n\r\n',
      'GET / HTTP/1.1\nHost: x\n\n\r\n\r\n',
      'GET /a b HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET / HTTP/1.1\r\n\r\n',
      'NOT HTTP AT ALL\r\n\r\n',
    ];
    for (const text of bad) expect(await rawExchange(router.port, [text]), JSON.stringify(text)).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n[^]*connection: close/);
    const big = `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`;
    expect(await rawExchange(router.port, [big])).toMatch(/^HTTP\/1\.1 431 /);
    // Too long without ever ending the head: refused as soon as the limit is passed.
    expect(await rawExchange(router.port, [`GET / HTTP/1.1\r\nX-Big: ${'a'.repeat(20_000)}`])).toMatch(/^HTTP\/1\.1 431 /);
    expect(upstream.connections).toBe(0);
    expect(router.metrics('up', 60_000).requests).toBe(0);
  });

  it('serves HTTP/1.0 and closes after the response', async () => {
    const blue = await startUpstream('blue');
    cleanups.push(() => blue.close());
    const router = await routerTo(blue.url);
    const [response] = splitResponses(await rawExchange(router.port, ['GET / HTTP/1.0\r\n\r\n']));
    expect(response.head).toMatch(/^HTTP\/1\.1 200 /);
    expect(response.body).toBe('blue');
  });

  it('relays 100 Continue before the body is sent', async () => {
    const blue = await startUpstream('blue');
    cleanups.push(() => blue.close());
    const router = await routerTo(blue.url);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: router.port });
      let text = '';
      socket.on('error', reject);
      socket.on('data', (chunk) => {
        text += chunk.toString('latin1');
        if (text === 'HTTP/1.1 100 Continue\r\n\r\n') socket.write('hello');
      });
      socket.on('close', () => resolve(text));
      socket.write('POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\nConnection: close\r\n\r\n');
    });
    expect(reply.startsWith('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 ')).toBe(true);
    expect(splitResponses(reply)[0].body).toBe('hello');
  });

  it('cuts the client connection and counts a proxy error when the upstream dies inside a chunked body', async () => {
    const upstream = await raw((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhel');
      setTimeout(() => socket.destroy(), 5);
    });
    const router = await routerTo(upstream.url);
    const reply = await rawExchange(router.port, ['GET / HTTP/1.1\r\nHost: x\r\n\r\n']);
    expect(reply).toMatch(/^HTTP\/1\.1 200 OK[^]*\r\n\r\n5\r\nhel$/);
    await until(() => router.metrics('up', 60_000).requests === 1, 5000, 'request recorded');
    expect(router.metrics('up', 60_000)).toMatchObject({ proxyErrors: 1, inFlight: 0, byClass: { '5xx': 1 } });
  });

  it('answers 502 for a malformed response head and does not reuse that connection', async () => {
    let count = 0;
    const upstream = await raw((socket) => {
      if (++count === 1) socket.write('HTTP/1.1 2x0 Broken\r\n\r\n');
      else socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
    });
    const router = await routerTo(upstream.url);
    expect((await fetch(`http://127.0.0.1:${router.port}/`)).status).toBe(502);
    const next = await fetch(`http://127.0.0.1:${router.port}/`);
    expect(await next.text()).toBe('ok');
    expect(upstream.connections).toBe(2);
    expect(router.metrics('up', 60_000).proxyErrors).toBe(1);
  });
});

describe('timeouts', () => {
  it('closes idle client connections and answers 502 when an upstream sends no response head in time', async () => {
    const upstream = await raw(() => undefined);
    const router = await createRouter({ port: 0, host: '127.0.0.1', limits: { keepAliveTimeoutMs: 1000, responseTimeoutMs: 1000 } });
    cleanups.push(() => router.close(100));
    await router.setActive({ id: 'up', url: upstream.url });
    const started = performance.now();
    const [idle, silent] = await Promise.all([
      rawExchange(router.port, [], 2, 10_000),
      rawExchange(router.port, ['GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'], 2, 10_000),
    ]);
    expect(idle).toBe('');
    expect(silent).toMatch(/^HTTP\/1\.1 502 /);
    // Whole-second ticks: after the timeout, within about two more seconds (more on a loaded machine).
    expect(performance.now() - started).toBeLessThan(8_000);
    expect(router.metrics('up', 60_000)).toMatchObject({ requests: 1, proxyErrors: 1 });
  });
});

describe('large bodies with backpressure', () => {
  const SIZE = 64 * 1024 * 1024;
  // A pattern whose period (251) does not divide any buffer size: bytes relayed from a reused buffer would show.
  const block = Buffer.from(Array.from({ length: 1024 * 1024 }, (_, i) => i % 251));
  const expected = (() => {
    const hash = createHash('sha256');
    for (let sent = 0; sent < SIZE; sent += block.length) hash.update(block);
    return hash.digest('hex');
  })();

  it('stops reading a request body the upstream is not reading, then relays all of it', async () => {
    let received = 0;
    const hash = createHash('sha256');
    let resumeUpstream: () => void = () => undefined;
    const upstream = createServer((req, res) => {
      req.pause();
      resumeUpstream = () => req.resume();
      req.on('data', (chunk: Buffer) => {
        received += chunk.length;
        hash.update(chunk);
      });
      req.on('end', () => res.end(`got ${received}`));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => upstream.close(resolve)));
    const router = await routerTo(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`);

    const socket = connect({ host: '127.0.0.1', port: router.port });
    cleanups.push(async () => void socket.destroy());
    let reply = '';
    socket.on('data', (chunk) => (reply += chunk.toString('latin1')));
    const closed = new Promise((resolve) => socket.on('close', resolve));
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(`POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: ${SIZE}\r\nConnection: close\r\n\r\n`);
    let written = 0;
    let stalledAt = -1;
    while (written < SIZE) {
      written += block.length;
      if (socket.write(block)) continue;
      const drained = await Promise.race([new Promise((resolve) => socket.once('drain', () => resolve(true))), new Promise((resolve) => setTimeout(() => resolve(false), 300))]);
      if (!drained && stalledAt < 0) {
        stalledAt = written;
        resumeUpstream();
        await new Promise((resolve) => socket.once('drain', resolve));
      }
    }
    await closed;
    expect(stalledAt).toBeGreaterThan(0);
    expect(stalledAt).toBeLessThan(SIZE / 2);
    expect(reply).toMatch(new RegExp(`^HTTP/1.1 200 [^]*got ${SIZE}$`));
    expect(hash.digest('hex')).toBe(expected);
  });

  it('stops reading a response the client is not reading, then relays all of it', async () => {
    let accepted = 0;
    let stalled = false;
    const upstream = createServer(async (_req, res) => {
      res.writeHead(200, { 'content-length': SIZE });
      while (accepted < SIZE) {
        accepted += block.length;
        if (res.write(block)) continue;
        const drained = await Promise.race([new Promise((resolve) => res.once('drain', () => resolve(true))), new Promise((resolve) => setTimeout(() => resolve(false), 300))]);
        if (!drained) {
          stalled = true;
          await new Promise((resolve) => res.once('drain', resolve));
        }
      }
      res.end();
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => upstream.close(resolve)));
    const router = await routerTo(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`);

    const socket = connect({ host: '127.0.0.1', port: router.port });
    cleanups.push(async () => void socket.destroy());
    socket.pause();
    socket.write('GET /download HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await until(() => stalled, 20_000, 'the upstream to stall');
    const acceptedWhileStalled = accepted;
    expect(acceptedWhileStalled).toBeLessThan(SIZE / 2);
    const hash = createHash('sha256');
    let head = '';
    let bodyBytes = 0;
    await new Promise<void>((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        if (head === '' || !head.endsWith('\r\n\r\n')) {
          const text = chunk.toString('latin1');
          const end = (head + text).indexOf('\r\n\r\n');
          if (end < 0) return void (head += text);
          const bodyStart = end + 4 - head.length;
          head = (head + text).slice(0, end + 4);
          chunk = chunk.subarray(bodyStart);
        }
        bodyBytes += chunk.length;
        hash.update(chunk);
      });
      socket.on('close', resolve);
      socket.resume();
    });
    expect(head).toMatch(/^HTTP\/1\.1 200 /);
    expect(bodyBytes).toBe(SIZE);
    expect(hash.digest('hex')).toBe(expected);
  });
});
