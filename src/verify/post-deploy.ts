import type { UpstreamMetrics } from '../contracts/metrics.js';
import type { PostCheckResult } from '../contracts/summary.js';
import { type Clock, realClock } from './clock.js';
import { type DatabaseCheckOptions, checkDatabase } from './database.js';
import { credentialRedactor } from './database-postgres.js';
import type { EarlyOptions } from './early.js';
import { generateProbeTraffic } from './probe.js';
import { runSmoke, smokeCheckResult } from './smoke.js';
import { type SmokeSpecInput, parseSmokeSpec } from './smoke-spec.js';
import { type MeasureSideBySide, confirmLatencyFailure } from './compare/confirm.js';
import { type Outcome, type Samples, blueGreenLabels } from './compare/judge.js';
import type { JudgeThresholds } from './compare/thresholds.js';
import type { VerifyThresholds } from './thresholds.js';
import { type WatchResult, type WatchTick, watchWindow } from './window.js';

export interface PostDeployOptions {
  /** The public URL, through the router: what users hit. */
  publicUrl: string;
  smoke: SmokeSpecInput[];
  thresholds: VerifyThresholds | JudgeThresholds;
  windowMs: number;
  /** An inconclusive window (too few samples) goes on, probing, for at most this long. Default 0. */
  extendMs?: number;
  /**
   * The figures of the release being replaced over the window before the switch: the new release's
   * rates and latencies are judged against them (src/verify/compare/judge.ts). Null: absolute limits only.
   */
  baseline?: UpstreamMetrics | null;
  /** How often metrics are read; default 1000 (or the window, when shorter). */
  tickMs?: number;
  /** Per-request timeout of smoke tests and database checks. */
  requestTimeoutMs: number;
  /** Metrics of the new release since the switch. */
  readMetrics: () => Promise<UpstreamMetrics>;
  /** Checked at the start, every `intervalMs` (default 5000) and at the end of the window. Null: no database check. */
  database?: ({ target: string; intervalMs?: number } & Omit<DatabaseCheckOptions, 'timeoutMs'>) | null;
  /** Probe traffic over the GET smoke paths through the public URL; false to disable. */
  probe?: { concurrency?: number } | false;
  /**
   * Measures the baseline and the new release side by side, for a window whose traffic was our own requests (smoke
   * and probes) and that failed on latency against the baseline alone (src/verify/compare/confirm.ts).
   */
  confirmLatency?: MeasureSideBySide;
  headers?: Record<string, string>;
  early?: EarlyOptions | false;
  clock?: Clock;
  signal?: AbortSignal;
  onTick?: (tick: WatchTick) => void;
}

export interface PostDeployResult {
  /** True only when every check passed. */
  ok: boolean;
  /** Inconclusive: nothing failed but the figures were too few to tell; the caller applies its policy. */
  outcome: Outcome;
  samples: Samples;
  /** In the summary's order: Smoke Tests, Error Rate, Response Times, Database. */
  results: PostCheckResult[];
  /** Milliseconds from the start of verification to the decision. */
  decidedAtMs: number;
  /** Decided before the window ended (a clear breach, or a failed smoke or database check). */
  early: boolean;
  window: WatchResult;
}

/**
 * Post-deployment verification after the switch: smoke tests through the
 * public URL, error rate and p95 of the new release's traffic over the watch
 * window (topped up with probes), and database connectivity. The first failed
 * check ends verification at once, so a rollback starts without waiting for
 * the rest of the window.
 */
export async function verifyAfterSwitch(options: PostDeployOptions): Promise<PostDeployResult> {
  const clock = options.clock ?? realClock;
  const start = clock.now();
  const failedEarly = new AbortController();
  const windowDone = new AbortController();
  const signals = [failedEarly.signal, ...(options.signal ? [options.signal] : [])];
  const stop = AbortSignal.any(signals);
  const failures: PostCheckResult[] = [];
  let decidedAt: number | null = null;
  // Smoke tests and probes sent through the public URL: the new release's traffic, unless users sent more.
  let ownRequests = 0;
  const fail = (result: PostCheckResult): void => {
    failures.push(result);
    if (decidedAt === null) decidedAt = clock.now() - start;
    failedEarly.abort();
  };

  const smoke = async (): Promise<PostCheckResult> => {
    ownRequests += options.smoke.length;
    const result = await runSmoke(options.publicUrl, options.smoke, { timeoutMs: options.requestTimeoutMs, headers: options.headers }).then(
      (r) => smokeCheckResult(r),
      (error: unknown) => ({ name: 'Smoke Tests', ok: false, value: `error: ${messageOf(error)}`, threshold: 'all passing' }),
    );
    if (!result.ok) fail(result);
    return result;
  };
  const database = options.database;
  const checkDb = async (): Promise<PostCheckResult | null> => {
    if (!database) return null;
    const result = await checkDatabase(database.target, { ...database, timeoutMs: options.requestTimeoutMs }).catch(
      (error: unknown): PostCheckResult => ({ name: 'Database', ok: false, value: `unreachable: ${credentialRedactor(database.target).redact(messageOf(error))}`, threshold: 'connected' }),
    );
    if (!result.ok) fail(result);
    return result;
  };
  const dbLoop = async (): Promise<void> => {
    if (!database) return;
    const until = AbortSignal.any([stop, windowDone.signal]);
    for (;;) {
      await clock.sleep(database.intervalMs ?? 5_000, until);
      if (until.aborted) return;
      await checkDb();
    }
  };

  let smokeResult: PostCheckResult | null = null;
  let dbResult: PostCheckResult | null = null;
  const firstSmokeAndDb = Promise.all([
    smoke().then((r) => {
      smokeResult = r;
    }),
    checkDb().then((r) => {
      dbResult = r;
    }),
  ]);
  const firstChecks = Promise.all([firstSmokeAndDb, dbLoop()]);
  const baseline = options.baseline ?? null;
  // The endpoints and the database are confirmed once more at the end of the window, alongside its last reading.
  let finalChecks: Promise<[PostCheckResult, PostCheckResult | null]> | null = null;
  const watched = await watchWindow({
    readMetrics: options.readMetrics,
    ...(baseline ? { readBaseline: async () => baseline, labels: blueGreenLabels } : {}),
    extendMs: options.extendMs,
    probe: probeFor(options, (sent) => (ownRequests += sent)),
    thresholds: options.thresholds,
    windowMs: options.windowMs,
    tickMs: Math.min(options.tickMs ?? 1_000, Math.max(1, options.windowMs)),
    now: clock.now,
    sleep: clock.sleep,
    signal: stop,
    early: options.early,
    onTick: options.onTick,
    onWatchEnd: () => {
      finalChecks = firstSmokeAndDb.then(() => Promise.all([smoke(), checkDb()]));
    },
  });
  const window =
    options.confirmLatency && ownTrafficOnly(watched, ownRequests) ? await confirmLatencyFailure(watched, options.confirmLatency, options.thresholds, blueGreenLabels) : watched;
  windowDone.abort();
  const notFailed = window.outcome !== 'fail';
  // On a failure the rollback should not wait for checks still in flight; they end on their own.
  if (!stop.aborted && notFailed) await firstChecks;

  if (!window.ok && !window.aborted && decidedAt === null) decidedAt = window.decidedAtMs;
  if (!stop.aborted && notFailed) {
    // The figures passed: the endpoints and the database must still answer at the end of the window.
    [smokeResult, dbResult] = await (finalChecks ?? Promise.all([smoke(), checkDb()]));
  }
  const userAborted = options.signal?.aborted ?? false;
  const windowResults = window.aborted && !userAborted ? [] : window.results;
  const firstFailure = (name: string, fallback: PostCheckResult | null) => failures.find((f) => f.name === name) ?? fallback;
  const results = [firstFailure('Smoke Tests', smokeResult), ...windowResults, firstFailure('Database', dbResult)].filter(
    (r): r is PostCheckResult => r !== null,
  );
  const failed = results.length === 0 || results.some((r) => !r.ok && !r.inconclusive) || window.outcome === 'fail';
  const outcome: Outcome = failed ? 'fail' : window.outcome;
  const ok = outcome === 'pass';
  return {
    ok,
    outcome,
    samples: window.samples,
    results,
    decidedAtMs: decidedAt ?? clock.now() - start,
    early: !ok && (window.early || (decidedAt !== null && decidedAt < options.windowMs)),
    window,
  };
}

/** The GET smoke paths: where probe traffic goes. */
export function probePaths(smoke: SmokeSpecInput[]): string[] {
  return [...new Set(smoke.map(parseSmokeSpec).filter((s) => s.method === 'GET').map((s) => s.path))];
}

/** The window's requests were ours, but for a stray few: no user's request is in its figures. */
function ownTrafficOnly(window: WatchResult, ownRequests: number): boolean {
  const requests = window.metrics?.requests ?? 0;
  return requests - ownRequests <= Math.max(2, Math.floor(requests * 0.05));
}

function probeFor(options: PostDeployOptions, onSent: (sent: number) => void): ((count: number, signal: AbortSignal) => Promise<unknown>) | undefined {
  if (options.probe === false) return undefined;
  const paths = probePaths(options.smoke);
  if (paths.length === 0) return undefined;
  const concurrency = options.probe?.concurrency ?? 4;
  return (count, signal) =>
    generateProbeTraffic(options.publicUrl, paths, {
      count,
      concurrency,
      deadlineMs: options.windowMs,
      requestTimeoutMs: options.requestTimeoutMs,
      signal,
      headers: options.headers,
    }).then((result) => {
      onSent(result.sent);
      return result;
    });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
