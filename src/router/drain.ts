import type { UpstreamMeter } from './meter.js';

export interface DrainResult {
  drained: boolean;
  inFlight: number;
}

/**
 * Waits until an upstream has no HTTP request in flight, or the timeout passes. Polls the counter every few
 * milliseconds: cheaper than an event on every request end, and the drain deadline is seconds long.
 */
export function waitForDrain(meter: UpstreamMeter, timeoutMs: number, pollMs = 5): Promise<DrainResult> {
  const deadline = performance.now() + timeoutMs;
  return new Promise((resolve) => {
    const check = () => {
      if (meter.inFlight <= 0) return resolve({ drained: true, inFlight: 0 });
      if (performance.now() >= deadline) return resolve({ drained: false, inFlight: meter.inFlight });
      setTimeout(check, Math.min(pollMs, Math.max(0, deadline - performance.now())));
    };
    check();
  });
}
