import { describe, expect, it } from 'vitest';
import { ChunkedError, ChunkedScanner } from '../../src/router/http1/chunked.js';
import { HeadError, rewriteHead } from '../../src/router/http1/head-scan.js';
import { parseRequestHead, type RequestHead } from '../../src/router/http1/request-head.js';
import { parseResponseHead, type ResponseHead } from '../../src/router/http1/response-head.js';

const CHUNKED = '5\r\nhello\r\n1;ext=1\r\n \r\nA\r\n0123456789\r\n0\r\nx-trailer: yes\r\n\r\n';

const bytes = (text: string) => Buffer.from(text, 'latin1');

function request(text: string, userHeader: string | null = null): RequestHead {
  const head = parseRequestHead(bytes(text), text.length, userHeader);
  if (head instanceof HeadError) throw new Error(`unexpected ${head.status}: ${head.reason}`);
  return head;
}

function refused(text: string): number {
  const head = parseRequestHead(bytes(text), text.length, null);
  return head instanceof HeadError ? head.status : 0;
}

function response(text: string): ResponseHead {
  const head = parseResponseHead(bytes(text), text.length);
  if (head instanceof HeadError) throw new Error(`unexpected: ${head.reason}`);
  return head;
}

/** What the proxy would forward for a head: the kept lines plus `extra`. */
function forwarded(text: string, head: { drop: number[]; end: number }, extra = ''): string {
  return rewriteHead(bytes(text), head.drop, head.end, null, extra, -1, -1, 0, 0).toString('latin1');
}

function hostOf(text: string, head: RequestHead): string | undefined {
  return head.hostStart < 0 ? undefined : text.slice(head.hostStart, head.hostEnd);
}

describe('chunked body scanner', () => {
  it('finds the end of a chunked body split at every byte boundary, with what follows left alone', () => {
    const bytes = Buffer.from(CHUNKED + 'GET /next', 'latin1');
    for (let split = 0; split <= bytes.length; split++) {
      const scanner = new ChunkedScanner();
      const first = scanner.scan(bytes.subarray(0, split), 0);
      const end = first >= 0 ? first : split + scanner.scan(bytes.subarray(split), 0);
      expect(end, `split at ${split}`).toBe(CHUNKED.length);
    }
  });

  it('finds the end when fed one byte at a time', () => {
    const scanner = new ChunkedScanner();
    const bytes = Buffer.from(CHUNKED, 'latin1');
    for (let i = 0; i < bytes.length; i++) expect(scanner.scan(bytes.subarray(i, i + 1), 0)).toBe(i === bytes.length - 1 ? 1 : -1);
    expect(scanner.done).toBe(true);
  });

  it('refuses malformed framing', () => {
    for (const bad of ['x\r\n', '\r\n', '5\nhello\r\n', '5\r\nhelloXX', '1234567890abcdef0\r\n', '0\r\nbad\ntrailer\r\n\r\n', '0\r\n\r\r']) {
      expect(() => new ChunkedScanner().scan(Buffer.from(bad, 'latin1'), 0), JSON.stringify(bad)).toThrow(ChunkedError);
    }
  });
});

describe('request head parser', () => {
  it('reads routing inputs and framing, and drops hop-by-hop, X-Forwarded-* and the flags header', () => {
    const text =
      'POST /a?b=1 HTTP/1.1\r\nHost: shop.example\r\nCookie: a=1\r\nX-Forwarded-For: 10.0.0.1\r\nConnection: keep-alive, x-secret\r\n' +
      'Keep-Alive: timeout=5\r\nX-Secret: 1\r\nX-Shipgate-Flags: admin\r\nTE: trailers\r\nContent-Length: 3\r\nX-User: ann\r\ncookie: b=2\r\n\r\n';
    const head = request(text, 'x-user');
    expect(hostOf(text, head)).toBe('shop.example');
    expect(head).toMatchObject({ method: 'POST', minor: 1, cookie: 'a=1; b=2', user: 'ann', forwardedFor: '10.0.0.1', contentLength: 3, chunked: false, keepAlive: true, upgrade: false });
    expect(forwarded(text, head, 'x-added: 1\r\n')).toBe('POST /a?b=1 HTTP/1.1\r\nHost: shop.example\r\nCookie: a=1\r\nContent-Length: 3\r\nX-User: ann\r\ncookie: b=2\r\nx-added: 1\r\n\r\n');
  });

  it('keeps Upgrade only on an upgrade request, and reads Connection: close and HTTP/1.0', () => {
    const ws = request('GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n');
    expect(ws.upgrade).toBe(true);
    expect(forwarded('GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n', ws)).toBe('GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n');
    const text = 'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: close\r\n\r\n';
    const plain = request(text);
    expect(plain).toMatchObject({ upgrade: false, keepAlive: false });
    expect(forwarded(text, plain)).toBe('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(request('GET / HTTP/1.0\r\n\r\n')).toMatchObject({ minor: 0, keepAlive: false, hostStart: -1 });
    expect(request('GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n').chunked).toBe(true);
  });

  it('never drops a framing header because Connection names it', () => {
    const text = 'POST / HTTP/1.1\r\nHost: x\r\nConnection: content-length, host\r\nContent-Length: 2\r\n\r\n';
    expect(forwarded(text, request(text))).toBe('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n');
  });

  it('refuses heads the router and an upstream could read differently', () => {
    const cases: [string, number][] = [
      ['GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n', 400],
      ['GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n', 400],
      ['GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n', 400],
      ['GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1 2\r\n\r\n', 400],
      ['GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n', 501],
      ['GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n', 400],
      ['GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n', 400],
      ['GET / HTTP/1.1\r\nHost : x\r\n\r\n', 400],
      ['GET / HTTP/1.1\r\nHost: x\nX: y\r\n\r\n', 400],
      ['GET / HTTP/1.1\r\nHost: x\r\nX: a\x00b\r\n\r\n', 400],
      ['GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n', 400],
      ['GET / HTTP/1.1\r\n\r\n', 400],
      ['GET /a b HTTP/1.1\r\nHost: x\r\n\r\n', 400],
      ['GET /\xe9 HTTP/1.1\r\nHost: x\r\n\r\n', 400],
      ['G(T / HTTP/1.1\r\nHost: x\r\n\r\n', 400],
      ['GET / HTTP/2.0\r\nHost: x\r\n\r\n', 505],
      ['GET / HTTP/1.1x\r\nHost: x\r\n\r\n', 400],
      ['CONNECT x:443 HTTP/1.1\r\nHost: x\r\n\r\n', 405],
      ['GET / HTTP/1.1\r\nNoColon\r\n\r\n', 400],
    ];
    for (const [text, status] of cases) expect(refused(text), JSON.stringify(text)).toBe(status);
  });
});

describe('response head parser', () => {
  it('reads status and framing, and drops hop-by-hop fields', () => {
    const text = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nX-Release: blue\r\n\r\n';
    const head = response(text);
    expect(head).toMatchObject({ status: 200, contentLength: 5, chunked: false, otherCoding: false, keepAlive: true });
    expect(forwarded(text, head)).toBe('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Release: blue\r\n\r\n');
    expect(response('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n')).toMatchObject({ keepAlive: false, contentLength: -1 });
    expect(response('HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n').keepAlive).toBe(false);
    expect(response('HTTP/1.1 204\r\n\r\n').status).toBe(204);
  });

  it('lets Transfer-Encoding win over Content-Length, and keeps Upgrade on a 101', () => {
    const text = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n';
    const head = response(text);
    expect(head).toMatchObject({ chunked: true, contentLength: -1 });
    expect(forwarded(text, head)).toBe('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
    expect(response('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n').otherCoding).toBe(true);
    const upgrade = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n';
    expect(forwarded(upgrade, response(upgrade))).toBe(upgrade);
  });

  it('refuses malformed heads', () => {
    for (const text of ['HTTP/1.1 20 OK\r\n\r\n', 'HTTP/2 200 OK\r\n\r\n', 'HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n', 'HTTP/1.1 200 OK\r\nbad line\r\n\r\n', 'HTTP/1.1 099 X\r\n\r\n', 'HTTP/1.1 200OK\r\n\r\n']) {
      expect(parseResponseHead(bytes(text), text.length), JSON.stringify(text)).toBeInstanceOf(HeadError);
    }
  });
});
