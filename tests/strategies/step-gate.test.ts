import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { UpstreamMetrics } from '../../src/contracts/metrics.js';
import { runStepGate, type StepGateInput } from '../../src/strategies/step-gate.js';
import { canaryLabels } from '../../src/verify/thresholds.js';
import { realClock, type Clock } from '../../src/verify/clock.js';

function metrics(requests: number, errors: number, p95: number): UpstreamMetrics {
  return { upstream: 'x', windowMs: 1000, requests, byClass: { '1xx': 0, '2xx': requests - errors, '3xx': 0, '4xx': 0, '5xx': errors }, proxyErrors: 0, inFlight: 0, latencyMs: { p50: p95 / 2, p95, p99: p95, max: p95 } };
}

/** Virtual time: each sleep advances it, so the gate runs its interval without waiting. */
function virtualClock(): Clock {
  let now = 0;
  return { now: () => now, sleep: async (ms) => void (now += ms) };
}

function gate(read: StepGateInput['read'], overrides: Partial<StepGateInput> = {}) {
  return runStepGate({
    percent: 10,
    read,
    thresholds: { errorRate: 0.01, p95Ms: 500, minRequests: 50 },
    labels: canaryLabels,
    intervalMs: 1_000,
    maxExtraMs: 1_000,
    tickMs: 100,
    probe: null,
    clock: virtualClock(),
    signal: new AbortController().signal,
    ...overrides,
  });
}

describe('canary step gate', () => {
  it('passes a canary like stable once both sides have their samples and the interval is over', async () => {
    const step = await gate(async () => ({ subject: metrics(60, 0, 20), baseline: metrics(600, 1, 18) }));
    expect(step).toMatchObject({ ok: true, decided: 'window', subject: { requests: 60 }, baseline: { requests: 600 } });
    expect(step.durationMs).toBeGreaterThanOrEqual(1_000);
    expect(step.outcome).toBe('pass');
    expect(step.checks.map((c) => c.name)).toEqual(['Error Rate', 'Response Times', 'Error Rate vs stable', 'Client Errors vs stable', 'p95 vs stable', 'p99 vs stable']);
  });

  it('never passes on too few samples: waits the extra time, then fails short', async () => {
    const step = await gate(async () => ({ subject: metrics(5, 0, 20), baseline: metrics(600, 0, 18) }));
    expect(step.ok).toBe(false);
    expect(step.durationMs).toBeGreaterThanOrEqual(2_000);
    expect(step.checks.find((c) => !c.ok)?.value).toBe('5 requests (< 50 required)');
    expect(step.outcome).toBe('inconclusive');
  });

  it('onInconclusive: promote passes a short step at the deadline, still marked inconclusive', async () => {
    const step = await gate(async () => ({ subject: metrics(5, 0, 20), baseline: metrics(600, 0, 18) }), { onInconclusive: 'promote' });
    expect(step).toMatchObject({ ok: true, outcome: 'inconclusive', decided: 'window' });
    expect(step.checks.some((c) => c.inconclusive)).toBe(true);
  });

  it('onInconclusive: hold keeps the step held past the deadline until the operator decides', async () => {
    let polls = 0;
    const step = await gate(async () => ({ subject: metrics(5, 0, 20), baseline: metrics(600, 0, 18) }), {
      onInconclusive: 'hold',
      control: async () => (++polls === 50 ? 'abort' : null),
    });
    expect(step).toMatchObject({ ok: false, decided: 'abort' });
    expect(step.durationMs).toBeGreaterThanOrEqual(4_000);
  });

  it('fails early on a clear breach, before the interval ends', async () => {
    const step = await gate(async () => ({ subject: metrics(30, 12, 20), baseline: metrics(300, 0, 18) }));
    expect(step).toMatchObject({ ok: false, decided: 'early' });
    expect(step.durationMs).toBeLessThan(1_000);
  });

  it('fails a canary much slower than stable though under the absolute limit', async () => {
    const step = await gate(async () => ({ subject: metrics(60, 0, 400), baseline: metrics(600, 0, 40) }));
    expect(step.ok).toBe(false);
    expect(step.checks.find((c) => !c.ok)?.name).toBe('p95 vs stable');
  });

  it('at 100% judges the canary alone; promote and abort end the step at once', async () => {
    const full = await gate(async () => ({ subject: metrics(60, 0, 20), baseline: metrics(0, 0, 0) }), { percent: 100 });
    expect(full).toMatchObject({ ok: true, baseline: null });
    const promoted = await gate(async () => ({ subject: metrics(1, 0, 20), baseline: metrics(10, 0, 18) }), { control: async () => 'promote' });
    expect(promoted).toMatchObject({ ok: true, decided: 'promote' });
    const aborted = await gate(async () => ({ subject: metrics(1, 0, 20), baseline: metrics(10, 0, 18) }), { control: async () => 'abort' });
    expect(aborted).toMatchObject({ ok: false, decided: 'abort' });
  });
});

describe('canary step gate: probe rounds', () => {
  it('probes again when the first round split unevenly and left stable short, then passes', async () => {
    // A real HTTP server stands for the router: the first 15 probes split 12 canary / 3 stable, later ones alternate.
    let served = 0;
    const server = createServer((_req, res) => {
      served += 1;
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const split = () => {
      const later = Math.max(0, served - 15);
      return { canary: Math.min(served, 12) + Math.ceil(later / 2), stable: Math.max(0, Math.min(served, 15) - 12) + Math.floor(later / 2) };
    };
    try {
      const step = await runStepGate({
        percent: 50,
        read: async () => ({ subject: metrics(split().canary, 0, 20), baseline: metrics(split().stable, 0, 18) }),
        thresholds: { errorRate: 0.01, p95Ms: 500, minRequests: 5 },
        labels: canaryLabels,
        intervalMs: 50,
        // Generous: the step passes as soon as both sides have their samples, and a loaded box is slow to serve them.
        maxExtraMs: 60_000,
        tickMs: 20,
        probe: { url, paths: ['/'], requestTimeoutMs: 5_000, concurrency: 2 },
        clock: realClock,
        signal: new AbortController().signal,
      });
      expect(step).toMatchObject({ ok: true, outcome: 'pass', decided: 'window' });
      expect(step.baseline?.requests).toBeGreaterThanOrEqual(5);
      // One round is 15 probes (5 needed / 50% x 1.5); stable's 5 took a second round.
      expect(step.probes).toBeGreaterThan(15);
    } finally {
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    }
  }, 90_000);
});
