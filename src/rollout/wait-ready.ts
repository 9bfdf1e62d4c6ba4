import { waitHealthy } from '../router/health-check.js';
import { sleepFor } from '../verify/clock.js';
import type { RolloutTarget, RunningRelease } from './target.js';

export interface HealthTiming {
  path: string;
  intervalMs: number;
  /** Overall deadline for the release to become healthy. */
  deadlineMs: number;
  /** Per-check timeout. */
  checkTimeoutMs: number;
}

export interface ReadyResult {
  ok: boolean;
  /** e.g. "GET /health answered 503 for 30s" or "exited with code 1 before it became healthy". */
  detail: string;
  elapsedMs: number;
  exited: boolean;
}

/**
 * Waits for the release's health path, and stops waiting as soon as the process is gone:
 * a release that crashes on start fails in well under the health deadline.
 */
export async function waitReady(runner: Pick<RolloutTarget, 'exitStatus'>, release: RunningRelease, timing: HealthTiming, signal: AbortSignal): Promise<ReadyResult> {
  const started = performance.now();
  const stopWatching = new AbortController();
  const both = AbortSignal.any([stopWatching.signal, signal]);
  let exit: string | null = null;
  const watcher = (async () => {
    while (!both.aborted) {
      await sleepFor(Math.min(timing.intervalMs, 200), both);
      if (both.aborted) return;
      exit = await runner.exitStatus(release.id).catch(() => null);
      if (exit) stopWatching.abort();
    }
  })();
  const result = await waitHealthy(release.url, timing.path, {
    intervalMs: timing.intervalMs,
    timeoutMs: timing.checkTimeoutMs,
    deadlineMs: timing.deadlineMs,
    signal: both,
  });
  stopWatching.abort();
  await watcher;
  const elapsedMs = Math.round(performance.now() - started);
  if (result.healthy) return { ok: true, detail: `healthy after ${elapsedMs} ms`, elapsedMs, exited: false };
  if (exit) return { ok: false, detail: `${exit} before it became healthy`, elapsedMs, exited: true };
  if (signal.aborted) return { ok: false, detail: 'interrupted while waiting for health', elapsedMs, exited: false };
  return { ok: false, detail: `not healthy within ${timing.deadlineMs} ms (last: ${result.last})`, elapsedMs, exited: false };
}
