#!/usr/bin/env node
// Verification detector figures (issue 23): for each detector (5xx rise, 4xx rise, latency rise), the exposure
// before the decision (requests green answered) and the time to decide; and the false rollback rate of healthy
// releases under noise. A simulation on the real decision code: requests are recorded into the router's own
// UpstreamMeter at virtual times, and the watch window's logic (clearBreaches every tick, judge at the end, extend
// while inconclusive) runs on them exactly as src/verify/window.ts does, with seeded randomness.
// Usage: node bench/verify/detectors.mjs [--rps 50] [--window 30] [--trials 20] [--healthy 20]   (after npm run build)
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('../..', import.meta.url).pathname;
const dist = (p) => join(root, 'dist/src', p);
if (!existsSync(dist('verify/compare/judge.js'))) throw new Error('run npm run build first');
const { UpstreamMeter } = await import(dist('router/meter.js'));
const { judge, clearBreaches } = await import(dist('verify/compare/judge.js'));

const { values } = parseArgs({ options: { rps: { type: 'string', default: '50' }, window: { type: 'string', default: '30' }, trials: { type: 'string', default: '20' }, healthy: { type: 'string', default: '20' } } });
const rps = Number(values.rps);
const windowS = Number(values.window);
const limits = { errorRate: 0.01, p95Ms: 500, minRequests: 200 };

function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One request of a release shaped like { medianMs, jitter, e5xx, e404 }. */
function request(shape, rng) {
  const u = rng();
  const status = u < shape.e5xx ? 500 : u < shape.e5xx + shape.e404 ? 404 : 200;
  const normal = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  return { status, us: Math.round(shape.medianMs * Math.exp(shape.jitter * normal) * 1000) };
}

const healthy = { medianMs: 20, jitter: 0.5, e5xx: 0.002, e404: 0.01 };

/** Blue over the window before the switch, then green watched tick by tick. Returns the decision. */
function deploy(greenShape, seed) {
  const rng = seeded(seed);
  let now = 10_000_000;
  const blueMeter = new UpstreamMeter('blue', () => now);
  for (let s = 0; s < windowS; s++) {
    for (let i = 0; i < rps; i++) {
      const r = request(healthy, rng);
      blueMeter.record(r.status, r.us, false);
    }
    now += 1000;
  }
  const blue = blueMeter.read(windowS * 1000);
  const green = new UpstreamMeter('green', () => now);
  const deadline = 2 * windowS; // window + extension of one window
  for (let s = 1; s <= deadline; s++) {
    // Requests spread over the second; the tick reads at its end.
    for (let i = 0; i < rps; i++) {
      const r = request(greenShape, rng);
      green.record(r.status, r.us, false);
    }
    now += 1000;
    const figures = green.read(s * 1000 + 1000);
    const breaches = clearBreaches(blue, figures, limits);
    if (breaches.length > 0) return { outcome: 'fail', early: true, seconds: s, exposure: figures.requests, by: breaches.map((b) => b.name) };
    if (s >= windowS) {
      const verdict = judge(blue, figures, limits);
      if (verdict.outcome !== 'inconclusive') return { outcome: verdict.outcome, early: false, seconds: s, exposure: figures.requests, by: verdict.reasons.map((r) => r.name) };
    }
  }
  return { outcome: 'inconclusive', early: false, seconds: deadline, exposure: green.read(deadline * 1000).requests, by: [] };
}

const detectors = [
  { name: '5xx rise (0.2% -> 5%)', shape: { ...healthy, e5xx: 0.05 } },
  { name: '5xx rise (0.2% -> 1.5%)', shape: { ...healthy, e5xx: 0.015 } },
  { name: '4xx rise (404 1% -> 90%, lost routes)', shape: { ...healthy, e404: 0.9 } },
  { name: '4xx rise (404 1% -> 5%)', shape: { ...healthy, e404: 0.05 } },
  { name: 'latency rise (median 20 -> 300 ms; p95 ~45 -> ~420 ms, under the 500 ms limit)', shape: { ...healthy, medianMs: 300, jitter: 0.2 } },
  { name: 'latency rise (median 20 -> 60 ms)', shape: { ...healthy, medianMs: 60 } },
];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const max = (xs) => Math.max(...xs);
console.log(`traffic ${rps} req/s to green, window ${windowS}s, minRequests ${limits.minRequests}, blue healthy: median 20 ms, jitter sigma 0.5, 0.2% 5xx, 1% 404`);
console.log('| Detector | Rolled back | Decided by | Exposure (requests, median / max) | Time to decide (s, median / max) |');
console.log('| --- | --- | --- | --- | --- |');
for (const d of detectors) {
  const runs = Array.from({ length: Number(values.trials) }, (_, i) => deploy(d.shape, 1000 + i));
  const failed = runs.filter((r) => r.outcome === 'fail');
  const by = [...new Set(failed.flatMap((r) => r.by))].join(', ');
  console.log(`| ${d.name} | ${failed.length}/${runs.length} | ${by} | ${median(runs.map((r) => r.exposure))} / ${max(runs.map((r) => r.exposure))} | ${median(runs.map((r) => r.seconds))} / ${max(runs.map((r) => r.seconds))} |`);
}
for (const n of [Number(values.healthy), 1000]) {
  const runs = Array.from({ length: n }, (_, i) => deploy(healthy, 50_000 + i));
  const rolledBack = runs.filter((r) => r.outcome !== 'pass');
  console.log(`healthy releases with noise: ${rolledBack.length}/${n} false rollbacks${rolledBack.length ? ` (${[...new Set(rolledBack.flatMap((r) => r.by))].join(', ')})` : ''}`);
}
