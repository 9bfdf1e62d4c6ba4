import type { UpstreamMetrics } from '../../../src/contracts/metrics.js';
import { UpstreamMeter } from '../../../src/router/meter.js';

export { seeded } from '../../helpers/seeded.js';

export interface TrafficShape {
  /** Median latency in ms; each request gets log-normal jitter around it. */
  medianMs: number;
  /** Spread of the log-normal jitter (sigma of ln latency); 0.3 is a noisy but healthy service. */
  jitter?: number;
  /** Share of 500s, 404s and 410s. */
  errors5xx?: number;
  notFound?: number;
  gone?: number;
}

/** Records `n` requests of the given shape into the router's real meter and reads them back. */
export function traffic(n: number, shape: TrafficShape, rng: () => number): UpstreamMetrics {
  const now = 1_000_000;
  const meter = new UpstreamMeter('sim', () => now);
  for (let i = 0; i < n; i++) recordRequest(meter, shape, rng);
  return meter.read(1000);
}

/** One request of the given shape: its status by the error shares, its latency with log-normal jitter. */
export function recordRequest(meter: UpstreamMeter, shape: TrafficShape, rng: () => number): void {
  const u = rng();
  const status = u < (shape.errors5xx ?? 0) ? 500 : u < (shape.errors5xx ?? 0) + (shape.notFound ?? 0) ? 404 : u < (shape.errors5xx ?? 0) + (shape.notFound ?? 0) + (shape.gone ?? 0) ? 410 : 200;
  const normal = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const ms = shape.medianMs * Math.exp((shape.jitter ?? 0.3) * normal);
  meter.record(status, Math.round(ms * 1000), false);
}
