import { describe, expect, it } from 'vitest';
import { UpstreamMeter } from '../../src/router/meter.js';

describe('UpstreamMeter', () => {
  it('counts status classes and proxy errors and reads percentiles over a window', () => {
    let now = 1_000_000;
    const meter = new UpstreamMeter('green', () => now);
    for (let i = 1; i <= 100; i++) meter.record(200, i * 1000, false); // 1..100 ms
    meter.record(404, 5000, false);
    meter.record(502, 100, true);
    const metrics = meter.read(1000);
    expect(metrics.requests).toBe(102);
    expect(metrics.byClass).toEqual({ '1xx': 0, '2xx': 100, '3xx': 0, '4xx': 1, '5xx': 1 });
    expect(metrics.proxyErrors).toBe(1);
    expect(metrics.latencyMs.p50).toBeGreaterThan(48);
    expect(metrics.latencyMs.p50).toBeLessThan(52);
    expect(metrics.latencyMs.p95).toBeGreaterThan(92);
    expect(metrics.latencyMs.p95).toBeLessThan(97);
    expect(metrics.latencyMs.max).toBeGreaterThanOrEqual(99);
  });

  it('forgets seconds that fall out of the window', () => {
    let now = 5_000_000;
    const meter = new UpstreamMeter('green', () => now);
    meter.record(500, 1000, false);
    now += 3000;
    meter.record(200, 2000, false);
    expect(meter.read(1000).requests).toBe(1);
    expect(meter.read(1000).byClass['5xx']).toBe(0);
    expect(meter.read(5000).requests).toBe(2);
    now += 20 * 60_000;
    expect(meter.read(60_000).requests).toBe(0);
  });

  it('reuses ring slots without mixing old seconds into new ones', () => {
    let now = 0;
    const meter = new UpstreamMeter('green', () => now);
    meter.record(200, 1000, false);
    now += 901_000; // exactly one ring length later lands on the same slot
    meter.record(200, 3000, false);
    const metrics = meter.read(1000);
    expect(metrics.requests).toBe(1);
    expect(metrics.latencyMs.max).toBeGreaterThan(2.9);
  });
});
