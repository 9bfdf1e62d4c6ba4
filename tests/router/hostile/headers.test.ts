import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../helpers.js';
import { rawExchange } from '../raw.js';
import { hostileRouter, lines, recorder } from './recorder.js';

/** Hostile clients against the router's header handling: what the upstream received, and what the router holds after. */
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: Parameters<typeof hostileRouter>[1] = {}, answer?: Parameters<typeof recorder>[0]) {
  const upstream = await recorder(answer);
  cleanups.push(() => upstream.close());
  const router = await hostileRouter(upstream.url, options, cleanups);
  return { upstream, router };
}

const ROUTER_LINES = ['x-forwarded-for: 127.0.0.1', 'x-forwarded-proto: http', 'x-real-ip: 127.0.0.1', 'forwarded: for=127.0.0.1;proto=http', 'x-forwarded-host: x'];

describe('hostile clients: headers', () => {
  it('answers 400 to 1,025 one-byte header lines and forwards nothing', async () => {
    const { upstream, router } = await setup();
    const reply = await rawExchange(router.port, [`GET / HTTP/1.1\r\nHost: x\r\n${'a:\r\n'.repeat(1025)}\r\n`]);
    expect(reply).toMatch(/^HTTP\/1\.1 400 [^\r]*\r\n[\s\S]*too many header lines/);
    expect(upstream.received).toEqual([]);
    await until(() => router.status().clients.connections === 0, 10_000, 'the router to forget the connection');
  });

  it('puts the router\'s lines before all of the client\'s, so the client cannot push them out', async () => {
    const { upstream, router } = await setup();
    const reply = await rawExchange(router.port, [`GET / HTTP/1.1\r\nHost: x\r\n${'a:\r\n'.repeat(98)}Connection: close\r\n\r\n`]);
    expect(reply).toMatch(/^HTTP\/1\.1 200 /);
    const head = lines(upstream.heads[0]);
    expect(head.slice(0, 6)).toEqual(['GET / HTTP/1.1', ...ROUTER_LINES]);
    expect(head.slice(6)).toEqual(['Host: x', ...Array(98).fill('a:')]);
  });

  it('drops every spelling of x-shipgate-flags and of the forwarding headers a client sends', async () => {
    const { upstream, router } = await setup();
    router.flags.set({ version: 1, userHeader: null, flags: { beta: { enabled: true, percent: 0, updatedAt: '2026-01-01T00:00:00Z' } } });
    const spoofed = ['x_shipgate_flags: beta', 'X-SHIPGATE-FLAGS: beta', 'x-shipgate_flags: beta', 'X_Forwarded_For: 6.6.6.6', 'x-forwarded-for: 6.6.6.6', 'X-Real-IP: 6.6.6.6', 'x_real_ip: 6.6.6.6', 'Forwarded: for=6.6.6.6', 'x_forwarded_host: evil', 'X-Forwarded-Proto: https'];
    await rawExchange(router.port, [`GET / HTTP/1.1\r\nHost: x\r\n${spoofed.map((line) => `${line}\r\n`).join('')}Connection: close\r\n\r\n`]);
    const head = lines(upstream.heads[0]);
    expect(head.filter((line) => /^x.shipgate.flags/i.test(line))).toEqual(['x-shipgate-flags: ']);
    expect(head.some((line) => line.includes('6.6.6.6') || line.includes('evil') || line.includes('https'))).toBe(false);
    expect(head.slice(1, 7)).toEqual([...ROUTER_LINES.slice(0, 4), 'x-shipgate-flags: ', ROUTER_LINES[4]]);
  });

  it('extends a trusted proxy\'s chains and keeps the scheme it reports', async () => {
    const { upstream, router } = await setup({ trustedProxies: ['127.0.0.0/8'] });
    await rawExchange(router.port, ['GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 1.2.3.4\r\nForwarded: for=1.2.3.4;proto=https\r\nX-Forwarded-Proto: https\r\nConnection: close\r\n\r\n']);
    expect(lines(upstream.heads[0])).toEqual([
      'GET / HTTP/1.1',
      'x-forwarded-for: 1.2.3.4, 127.0.0.1',
      'forwarded: for=1.2.3.4;proto=https, for=127.0.0.1;proto=http',
      'x-real-ip: 127.0.0.1',
      'x-forwarded-host: x',
      'Host: x',
      'X-Forwarded-Proto: https',
    ]);
  });

  it('rewrites an absolute-form target to origin form with the target\'s host', async () => {
    const { upstream, router } = await setup();
    await rawExchange(router.port, ['GET http://shop.example/a?b=1 HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n']);
    const head = lines(upstream.heads[0]);
    expect(head[0]).toBe('GET /a?b=1 HTTP/1.1');
    expect(head).toContain('host: shop.example');
    expect(head).toContain('x-forwarded-host: shop.example');
    expect(head.join('\n')).not.toContain('evil');
  });

  it('answers 431 to a head over the size limit and 413 to a body over the body limit, forwarding nothing', async () => {
    // The upstream answers nothing: it waits for bodies that must never reach it.
    const { upstream, router } = await setup({ limits: { maxHeaderBytes: 1024, maxBodyBytes: 10 } }, () => undefined);
    expect(await rawExchange(router.port, [`GET / HTTP/1.1\r\nHost: x\r\nx-big: ${'a'.repeat(1100)}\r\n\r\n`])).toMatch(/^HTTP\/1\.1 431 /);
    expect(await rawExchange(router.port, ['POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world'])).toMatch(/^HTTP\/1\.1 413 /);
    expect(upstream.received).toEqual([]);
    // A chunked body is counted as it comes: the upstream got the head, never the bytes past the limit.
    const chunked = await rawExchange(router.port, ['POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n', '5\r\nhello\r\n', '6\r\nworld!\r\n0\r\n\r\n']);
    expect(chunked).toMatch(/^HTTP\/1\.1 413 /);
    expect(upstream.received.join('')).not.toContain('world!');
    expect(router.status().upstreams[0].inFlight).toBe(0);
  });
});
