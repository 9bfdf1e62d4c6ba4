import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { WebSocketServer } from 'ws';

export interface TestUpstream {
  id: string;
  url: string;
  port: number;
  server: Server;
  /** Requests seen, with the headers the router forwarded. */
  seen: IncomingMessage['headers'][];
  close(): Promise<void>;
}

/**
 * A real upstream on an ephemeral port. Answers 200 with its id in `x-release`; `/slow?ms=N` waits N ms;
 * `releaseParked()` completes requests parked on `/park` and `/stream`; `/hang` never answers and records how the
 * request ended in `hung`. WebSocket connections echo messages prefixed with the id.
 */
export async function startUpstream(id: string): Promise<TestUpstream & { releaseParked(): void; hung: Promise<string>[] }> {
  const seen: IncomingMessage['headers'][] = [];
  const parked: (() => void)[] = [];
  const aborted: Promise<string>[] = [];
  let resets = 0;
  const server = createServer((req, res) => {
    seen.push(req.headers);
    const url = new URL(req.url ?? '/', 'http://x');
    const answer = () => {
      res.writeHead(200, { 'content-type': 'text/plain', 'x-release': id });
      res.end(id);
    };
    if (url.pathname === '/slow') setTimeout(answer, Number(url.searchParams.get('ms') ?? 100));
    else if (url.pathname === '/stream') {
      // Chunked: the first part now, the rest only when released, so a test can see the router stream it.
      res.writeHead(200, { 'content-type': 'text/plain', 'x-release': id });
      res.write('first;');
      parked.push(() => res.end('last'));
    } else if (url.pathname === '/not-modified') {
      res.writeHead(304, { etag: '"v1"', 'x-release': id });
      res.end();
    } else if (url.pathname === '/crash') {
      res.writeHead(200, { 'content-length': '100', 'x-release': id });
      res.write('partial');
      setTimeout(() => res.socket?.destroy(), 10);
    } else if (url.pathname === '/reset-once') {
      // Drops the connection without an answer on every other request, like a keep-alive close racing a request.
      if (++resets % 2 === 1) req.socket.destroy();
      else answer();
    } else if (url.pathname === '/hang') {
      aborted.push(new Promise((resolve) => res.on('close', () => resolve(res.writableFinished ? 'finished' : 'aborted'))));
    }
    else if (url.pathname === '/park') parked.push(answer);
    else if (url.pathname === '/echo') {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        res.writeHead(200, { 'x-release': id });
        res.end(Buffer.concat(chunks));
      });
    } else answer();
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket) => socket.on('message', (data) => socket.send(`${id}:${data.toString()}`)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    id,
    port,
    url: `http://127.0.0.1:${port}`,
    server,
    seen,
    releaseParked: () => parked.splice(0).forEach((answer) => answer()),
    hung: aborted,
    close: async () => {
      parked.splice(0).forEach((answer) => answer());
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port that refuses connections: bound once, then closed. */
export async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface LoadResult {
  ok: number;
  failed: number;
  byRelease: Record<string, number>;
  failures: string[];
}

/** Keeps `concurrency` keep-alive request loops running against `url` until `stop()`; counts outcomes. */
export function startLoad(url: string, concurrency = 8): { stop(): Promise<LoadResult>; result: LoadResult } {
  const pool = new Pool(url, { connections: concurrency });
  const result: LoadResult = { ok: 0, failed: 0, byRelease: {}, failures: [] };
  let running = true;
  const loop = async () => {
    while (running) {
      try {
        const response = await pool.request({ path: '/', method: 'GET' });
        await response.body.text();
        const release = String(response.headers['x-release'] ?? '?');
        if (response.statusCode === 200) {
          result.ok++;
          result.byRelease[release] = (result.byRelease[release] ?? 0) + 1;
        } else {
          result.failed++;
          result.failures.push(`status ${response.statusCode}`);
        }
      } catch (error) {
        result.failed++;
        result.failures.push(String(error));
      }
    }
  };
  const loops = Array.from({ length: concurrency }, loop);
  return {
    result,
    stop: async () => {
      running = false;
      await Promise.all(loops);
      await pool.close();
      return result;
    },
  };
}

/** Waits until `condition` holds, checking on every macrotask turn; fails after `timeoutMs`. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export async function tempStateDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'shipgate-router-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  const response = await fetch(url, { headers });
  return { status: response.status, body: await response.text(), headers: Object.fromEntries(response.headers) };
}
