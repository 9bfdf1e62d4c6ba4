import { describe, expect, it } from 'vitest';
import { latencyBinUpperMs } from '../../src/contracts/latency-bins.js';
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

  it('counts 404, 410 and 499 apart and keeps the latency distribution as bins', () => {
    let now = 2_000_000;
    const meter = new UpstreamMeter('green', () => now);
    for (let i = 0; i < 7; i++) meter.record(404, 2_000, false);
    meter.record(410, 2_000, false);
    meter.record(499, 2_000, false);
    meter.record(403, 2_000, false);
    for (let i = 0; i < 10; i++) meter.record(200, 300_000, false);
    now += 1000;
    const metrics = meter.read(5000);
    expect(metrics.byClass['4xx']).toBe(10);
    expect(metrics.byStatus).toEqual({ '404': 7, '410': 1, '499': 1 });
    const bins = metrics.latencyBins!;
    expect(bins.reduce((sum, [, count]) => sum + count, 0)).toBe(20);
    expect(bins).toHaveLength(2);
    const [fast, slow] = bins;
    expect(fast[1]).toBe(10);
    expect(latencyBinUpperMs(fast[0])).toBeGreaterThan(2);
    expect(latencyBinUpperMs(fast[0])).toBeLessThan(2.3);
    expect(slow[1]).toBe(10);
    expect(latencyBinUpperMs(slow[0])).toBeGreaterThan(300);
    expect(latencyBinUpperMs(slow[0])).toBeLessThan(331);
  });
});
