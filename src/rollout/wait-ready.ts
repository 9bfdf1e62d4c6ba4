import { waitHealthy } from '../router/health-check.js';
import { sleepFor } from '../verify/clock.js';
import type { HealthTiming, ReadyResult, RolloutTarget, RunningRelease } from './target.js';
import { describeAnswers, HEALTH_CANDIDATES, probeHealthPaths } from '../verify/health-paths.js';
import { NotFoundWatch } from './not-found-watch.js';

/** The target's own readiness when it has one, otherwise its health path polled on `url`. */
export function targetReady(target: Pick<RolloutTarget, 'exitStatus' | 'waitReady'>, release: RunningRelease, timing: HealthTiming, signal: AbortSignal): Promise<ReadyResult> {
  return target.waitReady ? target.waitReady(release, timing, signal) : waitReady(target, release, timing, signal);
}

/** The Health check of a release that did not become ready. */
export function healthFailure(ready: ReadyResult, timing: HealthTiming): { name: string; ok: false; value: string; threshold: string } {
  return { name: 'Health', ok: false, value: ready.detail, threshold: ready.threshold ?? `${timing.path} healthy within ${timing.deadlineMs} ms` };
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
  const notFound = new NotFoundWatch(Math.min(timing.notFoundMs ?? 3_000, timing.deadlineMs));
  let missingPath = false;
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
    onCheck: (_ok, detail) => {
      notFound.record(detail);
      if (!notFound.givesUp) return;
      missingPath = true;
      stopWatching.abort();
    },
  });
  stopWatching.abort();
  await watcher;
  const elapsedMs = Math.round(performance.now() - started);
  if (result.healthy) return { ok: true, detail: `healthy after ${elapsedMs} ms`, elapsedMs, exited: false };
  if (exit) return { ok: false, detail: `${exit} before it became healthy`, elapsedMs, exited: true };
  if (missingPath) {
    const others = await probeHealthPaths(release.url, timing.checkTimeoutMs, HEALTH_CANDIDATES.filter((p) => p !== timing.path));
    return { ok: false, detail: `GET ${timing.path} answered 404 on every try for ${elapsedMs} ms: the app has no such path; ${describeAnswers(others)}`, elapsedMs, exited: false };
  }
  if (signal.aborted) return { ok: false, detail: 'interrupted while waiting for health', elapsedMs, exited: false };
  return { ok: false, detail: `not healthy within ${timing.deadlineMs} ms (last: ${result.last})`, elapsedMs, exited: false };
}
