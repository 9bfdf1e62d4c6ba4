import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny real upstream for tests: node:http on 127.0.0.1:0 with knobs for
 * error rate, latency, release id and health. Errors are spread evenly and
 * deterministically (errorRate 0.05 fails exactly every 20th request), so
 * tests can assert on counts without flaking.
 */
export interface TestServerBehaviour {
  /** Share of non-health requests answered with 500, 0..1. */
  errorRate: number;
  /** Delay added before answering non-health requests. */
  latencyMs: number;
  /** Sent as the `x-release` header and in the body. */
  release: string;
  /** false: /health answers 503. An object is merged into the health JSON (e.g. { database: "down" }). */
  health: boolean | Record<string, unknown>;
  /** Path of the health endpoint. */
  healthPath: string;
}

export interface TestServer {
  url: string;
  port: number;
  /** Requests answered so far, health checks excluded. */
  readonly requests: number;
  readonly errors: number;
  setBehaviour(change: Partial<TestServerBehaviour>): void;
  close(): Promise<void>;
}

export async function startTestServer(options: Partial<TestServerBehaviour> = {}): Promise<TestServer> {
  const behaviour: TestServerBehaviour = {
    errorRate: 0,
    latencyMs: 0,
    release: 'test',
    health: true,
    healthPath: '/health',
    ...options,
  };
  let requests = 0;
  let errors = 0;
  const timers = new Set<NodeJS.Timeout>();

  const answer = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0];
    res.setHeader('x-release', behaviour.release);
    if (path === behaviour.healthPath) {
      const ok = behaviour.health !== false;
      const extra = typeof behaviour.health === 'object' ? behaviour.health : {};
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: ok ? 'ok' : 'failing', database: 'ok', release: behaviour.release, ...extra }));
      return;
    }
    const n = requests++;
    // Fail request n when the running count of due errors steps up: exact and evenly spread.
    const fail = Math.floor((n + 1) * behaviour.errorRate) > Math.floor(n * behaviour.errorRate);
    const send = (): void => {
      if (fail) {
        errors += 1;
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`error from ${behaviour.release}\n`);
      } else {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(`ok from ${behaviour.release} ${path}\n`);
      }
    };
    if (behaviour.latencyMs > 0) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        send();
      }, behaviour.latencyMs);
      timers.add(timer);
    } else {
      send();
    }
  };

  const server: Server = createServer((req, res) => {
    // Drain any request body before answering so keep-alive connections stay usable.
    req.resume();
    req.on('end', () => answer(req, res));
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get requests() {
      return requests;
    },
    get errors() {
      return errors;
    },
    setBehaviour(change) {
      Object.assign(behaviour, change);
    },
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
