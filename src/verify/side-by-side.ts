import type { Agent } from 'node:http';
import type { UpstreamMetrics } from '../contracts/metrics.js';
import { latencyBinsOf, latencyQuantiles } from './client-latencies.js';
import { httpRequest } from './http-request.js';
import { keepAliveAgent, probeHeaders } from './probe.js';

export interface SideBySideOptions {
  /** Pairs to send at most. */
  pairs: number;
  /** Stop sending after this long. */
  deadlineMs: number;
  requestTimeoutMs: number;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

/**
 * Latencies of two releases measured at the same moments: each pair sends the same GET to both at once, directly
 * (not through the router), one pair after the other. A box that is busier at one moment than another slows both
 * sides alike, which a comparison of two windows taken one after the other cannot tell from a slower release.
 */
export async function measureSideBySide(
  baselineUrl: string,
  candidateUrl: string,
  paths: string[],
  options: SideBySideOptions,
): Promise<{ baseline: UpstreamMetrics; candidate: UpstreamMetrics }> {
  const baseline = new Side(baselineUrl);
  const candidate = new Side(candidateUrl);
  const stop = AbortSignal.any([AbortSignal.timeout(Math.max(1, options.deadlineMs)), ...(options.signal ? [options.signal] : [])]);
  const headers = probeHeaders(options.headers);
  try {
    for (let i = 0; i < options.pairs && !stop.aborted && paths.length > 0; i++) {
      const path = paths[i % paths.length]!;
      await Promise.all([baseline.send(path, headers, options.requestTimeoutMs), candidate.send(path, headers, options.requestTimeoutMs)]);
    }
  } finally {
    baseline.close();
    candidate.close();
  }
  return { baseline: baseline.metrics(), candidate: candidate.metrics() };
}

class Side {
  private readonly latencies: number[] = [];
  private readonly byClass = { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 };
  private failures = 0;
  private readonly origin: URL;
  private readonly agent: Agent;
  private readonly started = performance.now();

  constructor(url: string) {
    this.origin = new URL(url);
    // One kept-alive connection per side, so neither pays a connection setup the other does not.
    this.agent = keepAliveAgent(this.origin, 1);
  }

  async send(path: string, headers: Record<string, string>, timeoutMs: number): Promise<void> {
    const begun = performance.now();
    try {
      const answer = await httpRequest(new URL(path, this.origin), { headers, timeoutMs, agent: this.agent, body: 'drain' });
      this.latencies.push(performance.now() - begun);
      const key = `${Math.min(5, Math.max(1, Math.floor(answer.status / 100)))}xx` as keyof typeof this.byClass;
      this.byClass[key] += 1;
    } catch {
      this.failures += 1;
    }
  }

  metrics(): UpstreamMetrics {
    return {
      upstream: this.origin.host,
      windowMs: Math.round(performance.now() - this.started),
      requests: this.latencies.length + this.failures,
      byClass: { ...this.byClass, '5xx': this.byClass['5xx'] + this.failures },
      proxyErrors: this.failures,
      inFlight: 0,
      latencyMs: latencyQuantiles(this.latencies),
      latencyBins: latencyBinsOf(this.latencies),
    };
  }

  close(): void {
    this.agent.destroy();
  }
}
