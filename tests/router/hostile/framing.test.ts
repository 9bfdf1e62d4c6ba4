import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../helpers.js';
import { rawExchange } from '../raw.js';
import { hostileRouter, recorder } from './recorder.js';

/** Framing node's parser refuses is refused by the router as well: the client gets 400, the upstream never the bad bytes. */
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const CHUNKED_HEAD = 'POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n';

describe('hostile clients: framing', () => {
  it.each([
    ['junk after a chunk size', `${CHUNKED_HEAD}5 junk\r\nhello\r\n0\r\n\r\n`, 'junk'],
    ['an unterminated quoted chunk extension', `${CHUNKED_HEAD}5;a="b\r\nhello\r\n0\r\n\r\n`, 'a="b'],
    ['a trailer line without a colon', `${CHUNKED_HEAD}5\r\nhello\r\n0\r\nnocolon\r\n\r\n`, 'nocolon'],
    ['Content-Length in trailers', `${CHUNKED_HEAD}5\r\nhello\r\n0\r\nContent-Length: 5\r\n\r\n`, 'Content-Length: 5'],
    ['two identical Content-Lengths', 'POST /c HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello', 'hello'],
  ])('refuses %s', async (_name, request, bad) => {
    const upstream = await recorder(() => undefined);
    cleanups.push(() => upstream.close());
    const router = await hostileRouter(upstream.url, {}, cleanups);
    // Head and body in one write, then again split so the body comes in a later read.
    for (const parts of [[request], [request.slice(0, request.indexOf('\r\n\r\n') + 4), request.slice(request.indexOf('\r\n\r\n') + 4)]]) {
      const reply = await rawExchange(router.port, parts);
      expect(reply).toMatch(/^HTTP\/1\.1 400 /);
      expect(upstream.received.join('')).not.toContain(bad);
    }
    await until(() => upstream.open === 0 && router.status().clients.connections === 0, 10_000, 'connections to close');
    expect(router.status().upstreams[0].inFlight).toBe(0);
  });
});
