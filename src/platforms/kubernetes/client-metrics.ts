import { Agent, request } from 'undici';
import type { UpstreamMetrics } from '../../contracts/metrics.js';
import { latencyQuantiles } from '../../verify/client-latencies.js';
import { sleepFor } from '../../verify/clock.js';
import { PROBE_HEADERS } from '../../verify/probe.js';

/**
 * Without our router in front, the new release's figures are measured from the client side: steady GET traffic
 * over the smoke paths through the public URL, counted by status class with each request's latency. This is what
 * src/verify/ judges (watchWindow reads `snapshot()` as the release's metrics); real user traffic is not seen.
 */
export class ClientMetrics {
  private readonly latencies: number[] = [];
  private readonly byClass: UpstreamMetrics['byClass'] = { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 };
  private transportErrors = 0;
  private inFlight = 0;
  private readonly stopper = new AbortController();
  private readonly started = performance.now();
  private readonly done: Promise<void>;

  constructor(
    baseUrl: string,
    paths: string[],
    options: { concurrency?: number; requestTimeoutMs: number; label: string; signal?: AbortSignal; pace?: { requests: number; overMs: number } },
  ) {
    options.signal?.addEventListener('abort', () => this.stopper.abort(), { once: true });
    const agent = new Agent({ connections: options.concurrency ?? 2, keepAliveTimeout: 5_000 });
    const list = paths.length > 0 ? paths : ['/'];
    let n = 0;
    const concurrency = options.concurrency ?? 2;
    // Paced to about `pace.requests` over `pace.overMs` (enough samples, without loading the app); unpaced otherwise.
    const gapMs = options.pace ? (options.pace.overMs * concurrency) / Math.max(1, options.pace.requests) : 0;
    const worker = async (): Promise<void> => {
      while (!this.stopper.signal.aborted) {
        const path = list[n++ % list.length]!;
        const t0 = performance.now();
        await this.one(new URL(path, baseUrl), agent, options.requestTimeoutMs);
        const wait = gapMs - (performance.now() - t0);
        if (wait > 1 && !this.stopper.signal.aborted) await sleepFor(wait, this.stopper.signal);
      }
    };
    this.done = Promise.all(Array.from({ length: concurrency }, worker)).then(() => agent.close());
    this.label = options.label;
  }

  private readonly label: string;

  private async one(url: URL, agent: Agent, timeoutMs: number): Promise<void> {
    const t0 = performance.now();
    this.inFlight += 1;
    try {
      const res = await request(url, { method: 'GET', dispatcher: agent, headers: PROBE_HEADERS, signal: AbortSignal.timeout(timeoutMs) });
      for await (const _chunk of res.body) void _chunk;
      const cls = `${Math.floor(res.statusCode / 100)}xx` as keyof UpstreamMetrics['byClass'];
      if (cls in this.byClass) this.byClass[cls] += 1;
    } catch {
      if (this.stopper.signal.aborted) return;
      this.transportErrors += 1;
      this.byClass['5xx'] += 1;
      // A refused connection answers in microseconds; do not spin on it.
      await new Promise((r) => setTimeout(r, 20));
    } finally {
      this.inFlight -= 1;
      if (!this.stopper.signal.aborted) this.latencies.push(performance.now() - t0);
    }
  }

  snapshot(): UpstreamMetrics {
    return {
      upstream: this.label,
      windowMs: Math.round(performance.now() - this.started),
      requests: this.latencies.length,
      byClass: { ...this.byClass },
      proxyErrors: this.transportErrors,
      inFlight: this.inFlight,
      latencyMs: latencyQuantiles(this.latencies),
    };
  }

  async stop(): Promise<void> {
    this.stopper.abort();
    await this.done.catch(() => undefined);
  }
}
