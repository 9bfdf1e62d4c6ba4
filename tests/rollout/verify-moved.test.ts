/**
 * Verification after traffic moved back (src/rollout/verify-moved.ts), through the two engine paths that use it:
 * the automatic switch back after a failed verification, and `deploy rollback`. The release traffic moves to is a
 * real HTTP server on port 0 whose health path fails its first answers (a release just scaled up, a fresh tunnel);
 * the target around it is an in-memory stand-in that records what the engine asked of it.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ResolvedEnvironment } from '../../src/config/types.js';
import type { DeployContext } from '../../src/orchestrator/types.js';
import { rollbackTo } from '../../src/rollout/rollback.js';
import { switchBack } from '../../src/rollout/switch-back.js';
import type { RolloutTarget, RunningRelease } from '../../src/rollout/target.js';
import type { FlowTiming } from '../../src/rollout/timing.js';
import { type EnvironmentState, emptyState } from '../../src/state/schema.js';

/** A release whose health path answers 503 `failFirst` times (Infinity: never healthy), then 200; `/` always 200. */
async function slowRelease(failFirst: number): Promise<{ url: string; healthAnswers: number[]; close(): Promise<void> }> {
  const healthAnswers: number[] = [];
  const server: Server = createServer((req, res) => {
    if (req.url === '/health') {
      const status = healthAnswers.length < failFirst ? 503 : 200;
      healthAnswers.push(status);
      res.writeHead(status).end(status === 200 ? 'ok' : 'starting');
      return;
    }
    res.writeHead(200).end('blue');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, healthAnswers, close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))) };
}

/** Records the engine's calls; `running` lists what runs (warm releases). */
function recordingTarget(running: RunningRelease[]): RolloutTarget & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    capabilities: { weights: true },
    start: async () => {
      throw new Error('not expected: the release is warm');
    },
    running: async (id) => running.find((r) => r.id === id) ?? null,
    exitStatus: async () => null,
    switchTo: async (release) => void calls.push(`switch ${release.id}`),
    setWeight: async () => undefined,
    metrics: async () => {
      throw new Error('not expected');
    },
    drain: async (id) => void calls.push(`drain ${id}`),
    markLive: async (id, live) => void calls.push(`live ${id} ${live}`),
    retire: async (id) => void calls.push(`retire ${id}`),
    stop: async (id) => void calls.push(`stop ${id}`),
    logTail: async () => [],
  };
}

function context(state: EnvironmentState, publicUrl: string): DeployContext & { events: string[]; state: { current: EnvironmentState } } {
  const events: string[] = [];
  const store = {
    current: state,
    read: async () => store.current,
    update: async (change: (s: EnvironmentState) => EnvironmentState | void) => (store.current = change(store.current) ?? store.current),
  };
  const config = { environment: 'staging', url: publicUrl, drainTimeoutMs: 100, keepWarmMs: 1_000, health: { path: '/health', intervalMs: 20, timeoutMs: 10_000 }, verify: { windowMs: 1_000, smoke: [{ method: 'GET', path: '/', status: null, contains: null }] } } as unknown as ResolvedEnvironment;
  return {
    events,
    plan: { options: {} },
    config,
    emit: (e: { phase: string; state: string; message: string }) => events.push(`${e.phase} ${e.state}: ${e.message}`),
    signal: new AbortController().signal,
    state: store,
    log: () => undefined,
    step: () => undefined,
    defer: () => undefined,
  } as unknown as DeployContext & { events: string[]; state: { current: EnvironmentState } };
}

/** Short waits, so the never-healthy case ends fast; the slow release answers well within the deadline. */
function timing(deadlineMs: number): FlowTiming {
  return { health: { path: '/health', intervalMs: 20, deadlineMs, checkTimeoutMs: 1_000 }, requestTimeoutMs: 2_000, tickMs: 100, databaseIntervalMs: 1_000, stopTimeoutMs: 1_000 };
}

const failed = { name: 'Error Rate', ok: false, value: '30%', threshold: '< 1%' };
const slot = (id: string, url: string) => ({ release: id, upstream: url.replace('http://', ''), since: new Date(0).toISOString(), running: true });
const releaseMeta = (id: string) => ({ id, version: '1.0.0', commit: null, contentHash: null });

let blueServer: Awaited<ReturnType<typeof slowRelease>> | null = null;
afterEach(async () => {
  await blueServer?.close();
  blueServer = null;
});

/** r-2 live, r-1 warm (the slow release, which the public URL reaches once traffic moved to it). */
async function scene(failFirst: number) {
  blueServer = await slowRelease(failFirst);
  const blue = { id: 'r-1', url: blueServer.url };
  const green = { id: 'r-2', url: 'http://127.0.0.1:9' };
  const target = recordingTarget([blue, green]);
  const ctx = context({ ...emptyState('staging'), active: slot('r-2', green.url), previous: slot('r-1', blue.url) }, blueServer.url);
  return { blue, green, target, ctx };
}

async function switchBackTo(failFirst: number, deadlineMs: number) {
  const { blue, green, target, ctx } = await scene(failFirst);
  const outcome = await switchBack({
    ctx,
    target,
    release: releaseMeta('r-2'),
    publicUrl: blue.url,
    green,
    blue,
    blueSlot: slot('r-1', blue.url),
    previousSlot: null,
    failed,
    post: [failed],
    logTail: [],
    timing: timing(deadlineMs),
  });
  return { outcome, target, ctx, healthAnswers: blueServer!.healthAnswers };
}

describe('switch back after a failed verification', () => {
  it('accepts a blue whose first health answers fail right after the switch: exit 1, verified, green stopped', async () => {
    const { outcome, target, ctx, healthAnswers } = await switchBackTo(3, 10_000);
    expect(outcome.exitCode, outcome.message).toBe(1);
    expect(outcome).toMatchObject({ status: 'rolled_back', rollback: { performed: true, verified: true } });
    expect(outcome.message).toMatch(/^Error Rate 30% \(threshold < 1%\); traffic back on r-1 in [\d.]+ ms$/);
    // Blue failed three health checks and was still accepted: it was waited for, not judged on one answer.
    expect(healthAnswers.slice(0, 4)).toEqual([503, 503, 503, 200]);
    // The switch came first (instant), the wait after it; then green was drained and stopped.
    expect(target.calls).toEqual(['switch r-1', 'live r-1 true', 'live r-2 false', 'drain r-2', 'stop r-2']);
    expect(ctx.events.some((e) => /^rollback ok: r-1 verified: healthy after \d+ ms, smoke 1\/1 passing/.test(e))).toBe(true);
    expect(ctx.state.current.active?.release).toBe('r-1');
  }, 30_000);

  it('still says exit 4, naming where traffic is, when blue never gets healthy within the deadline', async () => {
    const { outcome, target, healthAnswers } = await switchBackTo(Infinity, 300);
    expect(outcome.exitCode).toBe(4);
    expect(outcome).toMatchObject({ status: 'failed', rollback: { performed: true, verified: false } });
    expect(outcome.message).toBe(
      `Error Rate 30% (threshold < 1%); rolled back, but r-1 fails its own checks (not healthy within 300 ms (last: GET /health answered 503)): traffic is on r-1 (${blueServer!.url}), r-2 is stopped`,
    );
    expect(healthAnswers.length).toBeGreaterThan(1);
    expect(target.calls).toEqual(['switch r-1', 'live r-1 true', 'live r-2 false', 'drain r-2', 'stop r-2']);
  }, 30_000);
});

describe('deploy rollback to a warm release', () => {
  async function rollbackToSlow(failFirst: number, deadlineMs: number) {
    const { target, ctx } = await scene(failFirst);
    const outcome = await rollbackTo({ ctx, target, release: releaseMeta('r-1'), publicUrl: blueServer!.url, timing: timing(deadlineMs) });
    return { outcome, target, healthAnswers: blueServer!.healthAnswers };
  }

  it('waits for a release slow to answer after the switch: exit 0, verified', async () => {
    const { outcome, target, healthAnswers } = await rollbackToSlow(2, 10_000);
    expect(outcome.exitCode, outcome.message).toBe(0);
    expect(outcome.message).toMatch(/^rolled back to r-1 in [\d.]+ ms \(warm\)$/);
    expect(outcome.post.map((c) => [c.name, c.ok])).toEqual([['Health', true], ['Smoke Tests', true]]);
    expect(healthAnswers.slice(0, 3)).toEqual([503, 503, 200]);
    expect(target.calls.slice(0, 2)).toEqual(['switch r-1', 'live r-1 true']);
  }, 30_000);

  it('exit 4 naming where traffic is when the release never gets healthy', async () => {
    const { outcome } = await rollbackToSlow(Infinity, 300);
    expect(outcome.exitCode).toBe(4);
    expect(outcome.message).toBe(`rollback to r-1 could not be verified (not healthy within 300 ms (last: GET /health answered 503)): traffic is on r-1 (${blueServer!.url}), r-2 is kept warm`);
    expect(outcome.post[0]).toMatchObject({ name: 'Health', ok: false, threshold: '/health healthy within 300 ms' });
  }, 30_000);
});
