import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import { Agent as HttpsAgent, createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest } from '../../src/verify/http-request.js';
import { generateProbeTraffic } from '../../src/verify/probe.js';
import { describeRequestError } from '../../src/verify/request-error.js';

/** Rejections of httpRequest, read the way smoke and probes report them. */
async function failure(promise: Promise<unknown>, timeoutMs: number): Promise<{ name: string; reason: string }> {
  const error = await promise.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (e: unknown) => e as Error,
  );
  return { name: error.name, reason: describeRequestError(error, timeoutMs) };
}

describe('httpRequest against a real node:http server', () => {
  let url: string;
  let close: () => Promise<void>;
  const seen: IncomingMessage[] = [];
  /** Settles when the server has a request for `path`; the test answers through its response. */
  let waiting = new Map<string, (res: ServerResponse) => void>();
  const nextRequest = (path: string) => new Promise<ServerResponse>((resolve) => waiting.set(path, resolve));

  beforeAll(async () => {
    const server = createServer((req, res) => {
      seen.push(req);
      const held = waiting.get(req.url!);
      if (held) {
        waiting.delete(req.url!);
        return held(res);
      }
      if (req.url === '/redirect') return void res.writeHead(302, { location: '/elsewhere' }).end();
      if (req.url === '/headers') return void res.writeHead(200, { 'X-Thing': 'a', 'Set-Cookie': ['a=1', 'b=2'] }).end('with headers');
      if (req.url === '/gzip') return void res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync('{"database":"ok"} ünïcode'));
      res.end(`${req.method} ${req.url}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
  });
  afterAll(async () => {
    waiting = new Map();
    await close();
  });

  it('returns the status and the body, with the method and headers given', async () => {
    const answer = await httpRequest(`${url}/items`, { method: 'POST', headers: { 'user-agent': 'shipgate-test' }, timeoutMs: 10_000 });
    expect(answer).toMatchObject({ status: 200, body: 'POST /items' });
    expect(seen.at(-1)!.headers['user-agent']).toBe('shipgate-test');
  });

  it('does not follow a redirect: a 302 is seen as a 302', async () => {
    const before = seen.length;
    const answer = await httpRequest(`${url}/redirect`, { timeoutMs: 10_000 });
    expect(answer.status).toBe(302);
    expect(answer.header('Location')).toBe('/elsewhere');
    expect(seen.slice(before).map((r) => r.url)).toEqual(['/redirect']);
  });

  it('reads response headers by any case, repeated ones joined', async () => {
    const answer = await httpRequest(`${url}/headers`, { timeoutMs: 10_000 });
    expect(answer.header('x-thing')).toBe('a');
    expect(answer.header('X-THING')).toBe('a');
    expect(answer.header('set-cookie')).toBe('a=1, b=2');
    expect(answer.header('etag')).toBeNull();
  });

  it('decodes a gzip body as UTF-8', async () => {
    const answer = await httpRequest(`${url}/gzip`, { headers: { 'accept-encoding': 'gzip' }, timeoutMs: 10_000 });
    expect(answer.body).toBe('{"database":"ok"} ünïcode');
  });

  it('drains a body without keeping it', async () => {
    expect((await httpRequest(`${url}/items`, { timeoutMs: 10_000, body: 'drain' })).body).toBe('');
  });

  it('times out while the body is still streaming, and closes the connection', async () => {
    const held = nextRequest('/streaming');
    const running = httpRequest(`${url}/streaming`, { timeoutMs: 100 });
    const res = await held;
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('the first part of a body that never ends');
    const closed = new Promise<void>((resolve) => res.on('close', resolve));
    expect(await failure(running, 100)).toEqual({ name: 'TimeoutError', reason: 'timed out after 100ms' });
    await closed;
    expect(res.writableFinished).toBe(false);
  });

  it('reports an abort, and sends nothing for a signal aborted already', async () => {
    const held = nextRequest('/held');
    const controller = new AbortController();
    const running = httpRequest(`${url}/held`, { timeoutMs: 10_000, signal: controller.signal });
    await held;
    controller.abort();
    expect(await failure(running, 10_000)).toEqual({ name: 'AbortError', reason: 'aborted' });
    const before = seen.length;
    expect(await failure(httpRequest(`${url}/never`, { timeoutMs: 10_000, signal: AbortSignal.abort() }), 10_000)).toEqual({
      name: 'AbortError',
      reason: 'aborted',
    });
    expect(seen.length).toBe(before);
  });

  it('reports a body cut short by the server as a reset connection', async () => {
    const held = nextRequest('/cut');
    const running = httpRequest(`${url}/cut`, { timeoutMs: 10_000 });
    const res = await held;
    res.writeHead(200, { 'content-length': '100' });
    res.write('ten bytes.');
    res.socket!.destroy();
    expect((await failure(running, 10_000)).reason).toBe('connection reset (ECONNRESET)');
  });

  it('reports a refused connection by its code', async () => {
    const gone = createServer();
    await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
    const port = (gone.address() as AddressInfo).port;
    await new Promise<void>((resolve) => gone.close(() => resolve()));
    expect(await failure(httpRequest(`http://127.0.0.1:${port}/`, { timeoutMs: 10_000 }), 10_000)).toEqual({
      name: 'Error',
      reason: 'connection refused (ECONNREFUSED)',
    });
  });

  it('closes its own connection without an agent, and reuses one through a keep-alive agent', async () => {
    await httpRequest(`${url}/one`, { timeoutMs: 10_000 });
    expect(seen.at(-1)!.headers.connection).toBe('close');

    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const sockets = new Set<Socket>();
      for (const path of ['/a', '/b', '/c']) {
        await httpRequest(`${url}${path}`, { timeoutMs: 10_000, agent });
        sockets.add(seen.at(-1)!.socket);
      }
      expect(sockets.size).toBe(1);
    } finally {
      agent.destroy();
    }
  });
});

describe('httpRequest and probes over https', () => {
  let dir: string;
  let url: string;
  let cert: string;
  let server: ReturnType<typeof createHttpsServer>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shipgate-http-request-'));
    const certFile = join(dir, 'localhost.crt');
    const keyFile = join(dir, 'localhost.key');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
    cert = readFileSync(certFile, 'utf8');
    server = createHttpsServer({ cert, key: readFileSync(keyFile) }, (req, res) => res.end(`tls ${req.url}`));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://localhost:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers through an agent that trusts the certificate', async () => {
    const agent = new HttpsAgent({ ca: cert });
    try {
      expect(await httpRequest(`${url}/secure`, { timeoutMs: 10_000, agent })).toMatchObject({ status: 200, body: 'tls /secure' });
    } finally {
      agent.destroy();
    }
  });

  it('checks the certificate, as fetch did, and reports it by its code', async () => {
    expect((await failure(httpRequest(`${url}/`, { timeoutMs: 10_000 }), 10_000)).reason).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    const probes = await generateProbeTraffic(url, ['/'], { count: 2, concurrency: 1, deadlineMs: 10_000 });
    expect(probes).toMatchObject({ sent: 2, failed: 2, errors: { DEPTH_ZERO_SELF_SIGNED_CERT: 2 } });
  });
});
