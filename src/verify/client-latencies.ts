import { LATENCY_BIN_COUNT, type LatencyBins, latencyBinOf, sparseBins } from '../contracts/latency-bins.js';
import type { UpstreamMetrics } from '../contracts/metrics.js';

/** p50, p95, p99 and max (nearest rank) of latencies in ms measured by the client, as the router reports its own. */
export function latencyQuantiles(latencies: readonly number[]): UpstreamMetrics['latencyMs'] {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! : 0);
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted.at(-1) ?? 0 };
}

/** The same latencies in the router's bins (src/contracts/latency-bins.ts), for a rank test against its figures. */
export function latencyBinsOf(latencies: readonly number[]): LatencyBins {
  const counts = new Array<number>(LATENCY_BIN_COUNT).fill(0);
  for (const ms of latencies) counts[latencyBinOf(ms * 1000)]! += 1;
  return sparseBins(counts);
}
