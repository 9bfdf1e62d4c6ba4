import { describe, expect, it } from 'vitest';
import { ChunkedError, ChunkedScanner } from '../../src/router/http1/chunked.js';
import { HeadError, rewriteHead } from '../../src/router/http1/head-scan.js';
import { parseRequestHead, type RequestHead } from '../../src/router/http1/request-head.js';
import { rewriteRequestHead } from '../../src/router/http1/request-rewrite.js';
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

/** What the proxy would forward for a head: `extra` (a request's go right after the request line) and the kept lines. */
function forwarded(text: string, head: RequestHead | ResponseHead, extra = ''): string {
  if ('lineEnd' in head) return rewriteRequestHead(bytes(text), head, null, extra, false).toString('latin1');
  return rewriteHead(bytes(text), head.drop, head.end, null, extra, 0, 0).toString('latin1');
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
    expect(head).toMatchObject({ method: 'POST', minor: 1, cookie: 'a=1; b=2', user: 'ann', forwardedFor: undefined, contentLength: 3, chunked: false, keepAlive: true, upgrade: false });
    expect(forwarded(text, head, 'x-added: 1\r\n')).toBe('POST /a?b=1 HTTP/1.1\r\nx-added: 1\r\nHost: shop.example\r\nCookie: a=1\r\nContent-Length: 3\r\nX-User: ann\r\ncookie: b=2\r\n\r\n');
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

describe('header safety', () => {
  it('drops every spelling of the router\'s own header names, whatever the case or `_` for `-`', () => {
    const names = ['x-shipgate-flags', 'X_Shipgate_Flags', 'x_shipgate-flags', 'x-forwarded-for', 'X_FORWARDED_FOR', 'x-forwarded-proto', 'x_forwarded_proto', 'x-forwarded-host', 'X_Forwarded_Host', 'x-real-ip', 'X_Real_IP', 'forwarded', 'FORWARDED'];
    const text = `GET / HTTP/1.1\r\nHost: x\r\n${names.map((name) => `${name}: evil\r\n`).join('')}x-kept: 1\r\n\r\n`;
    expect(forwarded(text, request(text))).toBe('GET / HTTP/1.1\r\nHost: x\r\nx-kept: 1\r\n\r\n');
  });

  it('keeps a trusted proxy\'s forwarding lines, reads its chains, and still drops `_` spellings and the flags header', () => {
    const text =
      'GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 1.2.3.4\r\nForwarded: for=1.2.3.4\r\nX-Forwarded-Proto: https\r\nX-Real-IP: 1.2.3.4\r\n' +
      'x_forwarded_proto: http\r\nX-Shipgate-Flags: beta\r\n\r\n';
    const head = parseRequestHead(bytes(text), text.length, null, true);
    if (head instanceof HeadError) throw new Error(head.reason);
    expect(head).toMatchObject({ forwardedFor: '1.2.3.4', forwarded: 'for=1.2.3.4', kept: 1 | 4 });
    expect(forwarded(text, head)).toBe('GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-Proto: https\r\nX-Real-IP: 1.2.3.4\r\n\r\n');
  });

  it('refuses more header lines than the limit with 400', () => {
    const lines = (n: number) => `GET / HTTP/1.1\r\nHost: x\r\n${'a: 1\r\n'.repeat(n - 1)}\r\n`;
    const at = (text: string, max: number) => parseRequestHead(bytes(text), text.length, null, false, max);
    expect(at(lines(100), 100)).not.toBeInstanceOf(HeadError);
    expect(at(lines(101), 100)).toMatchObject({ status: 400, reason: 'too many header lines' });
  });

  it('rewrites an absolute-form target to origin form, the target\'s authority replacing Host', () => {
    const text = 'GET http://shop.example:8080/a?b HTTP/1.1\r\nHost: other\r\nX: 1\r\n\r\n';
    const head = request(text);
    expect(head.absolute).toBe(true);
    expect(rewriteRequestHead(bytes(text), head, null, '', true).toString('latin1')).toBe(
      'GET /a?b HTTP/1.1\r\nhost: shop.example:8080\r\nx-forwarded-host: shop.example:8080\r\nX: 1\r\n\r\n',
    );
    const bare = 'OPTIONS HTTPS://shop.example?q HTTP/1.1\r\n\r\n';
    expect(rewriteRequestHead(bytes(bare), request(bare), null, '', false).toString('latin1')).toBe('OPTIONS /?q HTTP/1.1\r\nhost: shop.example\r\n\r\n');
    for (const bad of ['GET http://user@x/ HTTP/1.1\r\n\r\n', 'GET http:/x HTTP/1.1\r\n\r\n', 'GET ftp://x/ HTTP/1.1\r\n\r\n', 'GET http:///a HTTP/1.1\r\n\r\n', 'GET x HTTP/1.1\r\nHost: x\r\n\r\n']) {
      expect(refused(bad), JSON.stringify(bad)).toBe(400);
    }
  });

  it('refuses the framing node refuses: junk after a chunk size, unterminated quotes, bad trailers, a repeated Content-Length', () => {
    const body = (chunks: string) => () => new ChunkedScanner().scan(Buffer.from(chunks, 'latin1'), 0);
    for (const bad of ['5 junk\r\nhello\r\n0\r\n\r\n', '5 \r\n', '5\t\r\n', '5 ;a=b\r\n', '5; a = b\r\n', '5;a="b\r\n', '5;a="b"x\r\n', '0\r\nnocolon\r\n\r\n', '0\r\nContent-Length: 5\r\n\r\n', '0\r\ntransfer-encoding: chunked\r\n\r\n', '0\r\nx-t : 1\r\n\r\n', '0\r\n: 1\r\n\r\n', '0\r\nx-t: 1\r\n 2\r\n\r\n']) {
      expect(body(bad), JSON.stringify(bad)).toThrow(ChunkedError);
    }
    for (const good of ['5;a=b;c="d e";f\r\nhello\r\n0\r\n\r\n', '5;a="b\\"c"\r\nhello\r\n0\r\n\r\n', '5;=b\r\nhello\r\n0\r\n\r\n', '5;a=\r\nhello\r\n0\r\n\r\n', '0\r\nx-t: 1\r\ncontent-lengthy: 2\r\n\r\n']) {
      expect(body(good)(), JSON.stringify(good)).toBe(good.length);
    }
    expect(refused('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n')).toBe(400);
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
