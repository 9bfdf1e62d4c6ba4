import type { UpstreamMetrics } from '../../contracts/metrics.js';
import type { DeployContext } from '../../orchestrator/types.js';
import { parseSmokeSpec } from '../../verify/smoke-spec.js';
import { requiredSamples } from '../../verify/thresholds.js';
import { ClientMetrics } from './client-metrics.js';

export function requestTimeoutMs(ctx: DeployContext): number {
  return Math.max(500, Math.min(5_000, ctx.config.health.timeoutMs));
}

/**
 * A release's figures without a proxy of ours in front: steady GET probes of the smoke paths through `url`, paced to
 * about 1.5× the samples the gate needs over `overMs`, measured client-side (src/verify/ judges the snapshots).
 */
export function probeMeter(ctx: DeployContext, url: string, label: string, overMs: number): ClientMetrics {
  const paths = [...new Set(ctx.config.verify.smoke.map(parseSmokeSpec).filter((s) => s.method === 'GET').map((s) => s.path))];
  const pace = { requests: Math.ceil(requiredSamples(ctx.config.verify.minRequests) * 1.5), overMs: Math.max(1, overMs * 0.8) };
  return new ClientMetrics(url, paths, { requestTimeoutMs: requestTimeoutMs(ctx), label, signal: ctx.signal, pace });
}

/** What a release no probe reaches served, as far as we know: nothing. */
export function noMetrics(upstream: string, windowMs: number): UpstreamMetrics {
  return { upstream, windowMs, requests: 0, byClass: { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 }, proxyErrors: 0, inFlight: 0, latencyMs: { p50: 0, p95: 0, p99: 0, max: 0 } };
}
