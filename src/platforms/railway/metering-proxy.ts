import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listenOnLoopback } from '../local/free-port.js';
import { Agent, request } from 'undici';
import type { UpstreamMetrics } from '../../contracts/metrics.js';
import { UpstreamMeter } from '../../router/meter.js';

/** Hop-by-hop headers are not forwarded (RFC 9110 7.6.1); host is the public domain's own. */
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'host']);

export interface MeteringProxy {
  /** http://127.0.0.1:<port>: smoke tests and probe traffic go here. */
  url: string;
  /** Requests, status classes and latency seen through the proxy over the last `windowMs`. */
  read(windowMs: number): UpstreamMetrics;
  close(): Promise<void>;
}

/**
 * Railway has no router of ours to measure, so verification measures from the client side: a local proxy in
 * front of the public domain records every answer (status, latency) with the router's meter, and the shared
 * watch-window analysis reads it like router metrics. Connection failures count as 5xx (proxy errors).
 */
export async function startMeteringProxy(target: string, name: string): Promise<MeteringProxy> {
  const origin = new URL(target);
  const meter = new UpstreamMeter(name);
  const agent = new Agent({ connections: 16, keepAliveTimeout: 5_000 });
  const server: Server = createServer((req, res) => void forward(req, res));

  async function forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    meter.inFlight++;
    try {
      const headers: Record<string, string | string[]> = {};
      for (const [key, value] of Object.entries(req.headers)) if (value !== undefined && !HOP.has(key)) headers[key] = value;
      const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
      const upstream = await request(new URL(req.url ?? '/', origin), {
        method: (req.method ?? 'GET') as 'GET',
        headers,
        body: hasBody ? req : undefined,
        dispatcher: agent,
      });
      const body = Buffer.from(await upstream.body.arrayBuffer());
      meter.record(upstream.statusCode, Math.round((performance.now() - started) * 1000), false);
      const out: Record<string, string | string[]> = {};
      for (const [key, value] of Object.entries(upstream.headers)) if (value !== undefined && !HOP.has(key) && key !== 'content-length') out[key] = value;
      res.writeHead(upstream.statusCode, { ...out, 'content-length': String(body.length) });
      res.end(body);
    } catch (error) {
      meter.record(502, Math.round((performance.now() - started) * 1000), true);
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`bad gateway: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      meter.inFlight--;
    }
  }

  return {
    url: await listenOnLoopback(server),
    read: (windowMs) => meter.read(windowMs),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await agent.close().catch(() => undefined);
    },
  };
}
