import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSmoke, smokeCheckResult } from '../../src/verify/smoke.js';
import { parseJsonPath, valueAt } from '../../src/verify/json-path.js';
import { parseSmokeSpec } from '../../src/verify/smoke-spec.js';
import { type TestServer, startTestServer } from '../helpers/http-server.js';

describe('parseSmokeSpec', () => {
  it('reads the short forms and objects', () => {
    expect(parseSmokeSpec('GET /')).toEqual({ method: 'GET', path: '/', status: [], label: 'GET /' });
    expect(parseSmokeSpec('/health')).toMatchObject({ method: 'GET', path: '/health' });
    expect(parseSmokeSpec('post /api/items 201')).toMatchObject({ method: 'POST', path: '/api/items', status: [201] });
    expect(parseSmokeSpec({ path: '/api/items', status: 200, contains: 'items' })).toEqual({
      method: 'GET',
      path: '/api/items',
      status: [200],
      contains: 'items',
      label: 'GET /api/items',
    });
  });

  it('parses JSON paths and refuses what is not one', () => {
    expect(parseJsonPath('$.items[0].id')).toEqual(['items', 0, 'id']);
    expect(parseJsonPath('status')).toEqual(['status']);
    expect(parseJsonPath('$["odd key"].x')).toEqual(['odd key', 'x']);
    expect(parseJsonPath('$')).toEqual([]);
    expect(parseJsonPath('$.items[*]')).toBeNull();
    expect(parseJsonPath('$..x')).toBeNull();
    expect(valueAt({ a: [{ b: false }] }, ['a', 0, 'b'])).toBe(false);
    expect(valueAt({ a: [1] }, ['a', 'length'])).toBeUndefined();
    expect(valueAt({ a: 1 }, ['toString'])).toBeUndefined();
  });

  it('rejects specs without a path', () => {
    expect(() => parseSmokeSpec('GET')).toThrow(/expected "METHOD \/path \[status\]"/);
    expect(() => parseSmokeSpec('GET / abc')).toThrow();
    expect(() => parseSmokeSpec({ path: 'api' })).toThrow(/must start with/);
  });
});

describe('runSmoke against real servers', () => {
  let app: TestServer;
  let custom: { url: string; close: () => Promise<void> };

  beforeAll(async () => {
    app = await startTestServer({ release: 'r1' });
    // Routes the test server does not have: a redirect, a JSON body, a hang, a 404.
    const server = createServer((req, res) => {
      if (req.url === '/redirect') return void res.writeHead(302, { location: '/elsewhere' }).end();
      if (req.url === '/items') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"items":[1,2]}');
      if (req.url === '/hang') return; // never answers
      if (req.url === '/streaming') return void res.writeHead(200, { 'content-type': 'text/plain' }).write('a body that never ends');
      if (req.url === '/gzip') {
        // Compressed only for a client that asks, as compression middleware does.
        if (!/gzip/.test(req.headers['accept-encoding'] ?? '')) return void res.writeHead(406).end();
        return void res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'application/json' }).end(gzipSync('{"status":"ok"}'));
      }
      if (req.method === 'POST' && req.url === '/create') return void res.writeHead(201).end('created');
      res.writeHead(404).end('nope');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    custom = {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    };
  });
  afterAll(async () => {
    await app.close();
    await custom.close();
  });

  it('passes when every endpoint answers as expected', async () => {
    const result = await runSmoke(app.url, ['GET /', '/health', { path: '/api/items', status: 200, contains: 'ok from r1' }], { timeoutMs: 10_000 });
    expect(result).toMatchObject({ passed: 3, total: 3, failures: [] });
    expect(result.outcomes.map((o) => o.status)).toEqual([200, 200, 200]);
    expect(smokeCheckResult(result)).toEqual({ name: 'Smoke Tests', ok: true, value: '3/3 passing', threshold: 'all passing' });
  });

  it('reports a 500 with what was expected', async () => {
    app.setBehaviour({ errorRate: 1 });
    try {
      const result = await runSmoke(app.url, ['GET /', '/health'], { timeoutMs: 10_000 });
      expect(result.passed).toBe(1);
      expect(result.failures).toEqual([{ spec: 'GET /', reason: 'expected 2xx/3xx, got 500' }]);
      expect(smokeCheckResult(result)).toEqual({
        name: 'Smoke Tests',
        ok: false,
        value: '1/2 passing (GET /: expected 2xx/3xx, got 500)',
        threshold: 'all passing',
      });
    } finally {
      app.setBehaviour({ errorRate: 0 });
    }
  });

  it('checks statuses, bodies and methods, and does not follow redirects', async () => {
    const result = await runSmoke(
      custom.url,
      ['GET /redirect', { path: '/redirect', status: 200 }, { path: '/items', contains: '"items"' }, { path: '/items', contains: 'missing' }, 'POST /create 201', 'GET /absent'],
      { timeoutMs: 10_000 },
    );
    expect(result.outcomes.map((o) => o.ok)).toEqual([true, false, true, false, true, false]);
    expect(result.failures).toEqual([
      { spec: 'GET /redirect', reason: 'expected 200, got 302' },
      { spec: 'GET /items', reason: 'body does not contain "missing"' },
      { spec: 'GET /absent', reason: 'expected 2xx/3xx, got 404' },
    ]);
    expect(smokeCheckResult(result).value).toBe('3/6 passing (GET /redirect: expected 200, got 302; +2 more)');
  });

  it('checks a response header and a value in the JSON body', async () => {
    const result = await runSmoke(
      custom.url,
      [
        { path: '/items', headers: { 'Content-Type': 'application/json' }, json: { path: '$.items[1]', equals: 2 } },
        { path: '/items', json: { path: 'items[0]' } },
        { path: '/items', headers: { 'content-type': 'text/html' } },
        { path: '/items', headers: { etag: 'x' } },
        { path: '/items', json: { path: '$.items[5]' } },
        { path: '/items', json: { path: '$.items[0]', equals: '1' } },
        { path: '/redirect', status: 302, json: { path: '$.x' } },
      ],
      { timeoutMs: 10_000 },
    );
    expect(result.outcomes.map((o) => o.ok)).toEqual([true, true, false, false, false, false, false]);
    expect(result.failures.map((f) => f.reason)).toEqual([
      'content-type is "application/json", expected it to contain "text/html"',
      'no etag header',
      '$.items[5] is missing',
      '$.items[0] is 1, expected "1"',
      'body is not JSON (for $.x)',
    ]);
  });

  it('times out a hanging endpoint on its own timeout without holding up the others', async () => {
    const started = performance.now();
    const result = await runSmoke(custom.url, ['GET /hang', 'GET /items'], { timeoutMs: 2_000 });
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(result.failures).toEqual([{ spec: 'GET /hang', reason: 'timed out after 2000ms' }]);
    expect(result.passed).toBe(1);
  });

  it('times out an endpoint whose body is still streaming', async () => {
    const result = await runSmoke(custom.url, ['GET /streaming', 'GET /items'], { timeoutMs: 300 });
    expect(result.failures).toEqual([{ spec: 'GET /streaming', reason: 'timed out after 300ms' }]);
    expect(result.outcomes.map((o) => o.status)).toEqual([null, 200]);
  });

  it('reads a gzip answer as fetch did: asked for, decoded, its headers as sent', async () => {
    const result = await runSmoke(custom.url, [{ path: '/gzip', headers: { 'content-encoding': 'gzip' }, json: { path: '$.status', equals: 'ok' } }], {
      timeoutMs: 10_000,
    });
    expect(result).toMatchObject({ passed: 1, failures: [] });
  });

  it('reports a stop signal as aborted', async () => {
    const controller = new AbortController();
    const running = runSmoke(custom.url, ['GET /hang'], { timeoutMs: 10_000, signal: controller.signal });
    controller.abort();
    expect((await running).failures).toEqual([{ spec: 'GET /hang', reason: 'aborted' }]);
  });

  it('reports a refused connection', async () => {
    const closed = await startTestServer();
    const url = closed.url;
    await closed.close();
    const result = await runSmoke(url, ['GET /'], { timeoutMs: 10_000 });
    expect(result.failures).toEqual([{ spec: 'GET /', reason: 'connection refused (ECONNREFUSED)' }]);
  });

  it('sends the given headers', async () => {
    let seen: string | undefined;
    const server = createServer((req, res) => {
      seen = req.headers.cookie;
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await runSmoke(url, ['GET /'], { timeoutMs: 10_000, headers: { cookie: 'shipgate_canary=1' } });
      expect(seen).toBe('shipgate_canary=1');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('fails a gate with no smoke tests at all', () => {
    expect(smokeCheckResult({ passed: 0, total: 0, failures: [], outcomes: [] })).toMatchObject({ ok: false, value: 'no smoke tests configured' });
  });
});
