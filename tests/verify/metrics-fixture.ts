import type { UpstreamMetrics } from '../../src/contracts/metrics.js';

/** Router metrics with the figures a test cares about; 5xx counts the errors. */
export function metrics(figures: { requests: number; errors?: number; p50?: number; p95?: number; upstream?: string }): UpstreamMetrics {
  const errors = figures.errors ?? 0;
  const p95 = figures.p95 ?? 20;
  return {
    upstream: figures.upstream ?? 'green',
    windowMs: 30_000,
    requests: figures.requests,
    byClass: { '1xx': 0, '2xx': figures.requests - errors, '3xx': 0, '4xx': 0, '5xx': errors },
    proxyErrors: 0,
    inFlight: 0,
    latencyMs: { p50: figures.p50 ?? Math.min(p95, 10), p95, p99: p95, max: p95 },
  };
}
