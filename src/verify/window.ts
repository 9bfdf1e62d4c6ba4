import type { UpstreamMetrics } from '../contracts/metrics.js';
import type { PostCheckResult } from '../contracts/summary.js';
import { realClock } from './clock.js';
import { type Judgement, type Outcome, type Samples, clearBreaches, judge, verdictOf } from './compare/judge.js';
import type { JudgeThresholds } from './compare/thresholds.js';
import type { EarlyOptions } from './early.js';
import { formatMs } from './format.js';
import { type CohortLabels, type VerifyThresholds, canaryLabels, requiredSamples } from './thresholds.js';

export interface WatchTick {
  elapsedMs: number;
  metrics: UpstreamMetrics;
  baseline: UpstreamMetrics | null;
}

export interface WatchWindowOptions {
  /** Metrics of the new release since the window started (e.g. router `metrics(id, elapsed)`). */
  readMetrics: () => Promise<UpstreamMetrics>;
  /** When given, the new release is judged against this baseline (canary vs stable, flagged vs unflagged). */
  readBaseline?: () => Promise<UpstreamMetrics>;
  labels?: CohortLabels;
  /**
   * Asked to send about `count` more requests while samples are short. At most
   * one probe runs at a time; it must stop when `signal` aborts. For a canary
   * the count is the shortfall of the scarcer side: scale it by the weight.
   */
  probe?: (count: number, signal: AbortSignal) => Promise<unknown>;
  thresholds: VerifyThresholds | JudgeThresholds;
  windowMs: number;
  /**
   * When the window ends inconclusive (too few samples), how much longer it may go on, probing,
   * before it gives up and reports `inconclusive`. Default 0.
   */
  extendMs?: number;
  tickMs: number;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal;
  /** Early detection, or false to decide only at the end of the window (a clear breach fails at once). */
  early?: EarlyOptions | false;
  onTick?: (tick: WatchTick) => void;
  /** Called once the watching is over and only the last reading is left to take (not for an early or aborted end). */
  onWatchEnd?: () => void;
}

export interface WatchResult {
  /** True only on `pass`. */
  ok: boolean;
  outcome: Outcome;
  results: PostCheckResult[];
  samples: Samples;
  /** How far past the window an inconclusive verdict kept it going. */
  extendedMs: number;
  /** Milliseconds from the start of the window to the decision. */
  decidedAtMs: number;
  /** Decided before the end of the window because a breach was clear. */
  early: boolean;
  aborted: boolean;
  metrics: UpstreamMetrics | null;
  baseline: UpstreamMetrics | null;
  /** How many probe runs were started. */
  probes: number;
}

interface Reading {
  metrics: UpstreamMetrics;
  baseline: UpstreamMetrics | null;
}

/**
 * Watches the new release for `windowMs`: reads metrics every `tickMs`, tops
 * traffic up with probes while samples are short, fails as soon as a breach is
 * clear, and otherwise decides on the whole window at its end.
 */
export async function watchWindow(options: WatchWindowOptions): Promise<WatchResult> {
  const now = options.now ?? realClock.now;
  const sleep = options.sleep ?? realClock.sleep;
  const labels = options.labels ?? canaryLabels;
  const start = now();
  const elapsed = (): number => now() - start;
  const probes = new ProbeRunner(options.probe, options.signal);
  let last: Reading | null = null;
  let lastError: unknown = null;

  const finish = async (partial: Partial<WatchResult> & Pick<WatchResult, 'results' | 'early' | 'aborted'>): Promise<WatchResult> => {
    const decidedAtMs = elapsed();
    // A failed or aborted window returns at once so the rollback starts; probe requests in flight end on their own.
    probes.halt();
    const verdict = verdictOf(partial.results, samplesOf(last));
    const outcome = partial.aborted ? 'fail' : verdict.outcome;
    return {
      outcome,
      ok: outcome === 'pass',
      samples: verdict.samples,
      extendedMs: Math.max(0, Math.round(decidedAtMs - options.windowMs)),
      ...partial,
      decidedAtMs,
      metrics: last?.metrics ?? null,
      baseline: last?.baseline ?? null,
      probes: probes.started,
    };
  };
  const deadline = options.windowMs + Math.max(0, options.extendMs ?? 0);

  for (;;) {
    if (options.signal?.aborted) return finish(abortedResult(elapsed()));
    try {
      last = await read(options);
      lastError = null;
    } catch (error) {
      lastError = error;
    }
    if (options.signal?.aborted) return finish(abortedResult(elapsed()));
    if (last && !lastError) {
      options.onTick?.({ elapsedMs: elapsed(), metrics: last.metrics, baseline: last.baseline });
      if (options.early !== false) {
        const breaches = clearBreaches(last.baseline, last.metrics, options.thresholds, labels, options.early ?? {});
        if (breaches.length > 0) {
          return finish({ results: earlyResults(evaluate(last, options, labels), breaches), early: true, aborted: false });
        }
      }
      // Past the window, an inconclusive verdict keeps watching (and probing) until the extension runs out.
      if (elapsed() >= options.windowMs && evaluate(last, options, labels).outcome !== 'inconclusive') break;
    }
    const remaining = (last && !lastError ? deadline : options.windowMs) - elapsed();
    if (remaining <= 0) break;
    if (last) probes.topUp(shortfall(last, options.thresholds));
    await sleep(Math.min(options.tickMs, remaining), options.signal);
  }

  options.onWatchEnd?.();
  await probes.stop();
  try {
    last = await read(options);
    lastError = null;
  } catch (error) {
    lastError = error;
  }
  if (lastError || !last) return finish({ results: [unreadable(lastError)], early: false, aborted: false });
  return finish({ results: evaluate(last, options, labels).checks, early: false, aborted: false });
}

async function read(options: WatchWindowOptions): Promise<Reading> {
  const [metrics, baseline] = await Promise.all([
    options.readMetrics(),
    options.readBaseline ? options.readBaseline() : Promise.resolve(null),
  ]);
  return { metrics, baseline };
}

function evaluate(reading: Reading, options: WatchWindowOptions, labels: CohortLabels): Judgement {
  return judge(reading.baseline, reading.metrics, options.thresholds, labels);
}

function samplesOf(reading: Reading | null): Samples {
  return { candidate: reading?.metrics.requests ?? 0, baseline: reading?.baseline ? reading.baseline.requests : null };
}

/**
 * The clear breaches, plus the checks that were already decided; checks still short of samples are left out so the
 * summary names the real cause. A breach's own value (with "decided early") replaces the end-of-window figure.
 */
function earlyResults(judged: Judgement, breaches: PostCheckResult[]): PostCheckResult[] {
  const byName = new Map(breaches.map((b) => [b.name, b]));
  const results: PostCheckResult[] = [];
  for (const check of judged.checks) {
    const breach = byName.get(check.name);
    if (breach) {
      results.push(breach);
      byName.delete(check.name);
    } else if (!check.inconclusive) {
      results.push(check);
    }
  }
  return [...results, ...byName.values()];
}

function shortfall(reading: Reading, t: VerifyThresholds | JudgeThresholds): number {
  const subject = requiredSamples(t.minRequests) - reading.metrics.requests;
  const baselineMin = 'minBaselineRequests' in t && t.minBaselineRequests !== undefined ? t.minBaselineRequests : t.minRequests;
  const baseline = reading.baseline ? requiredSamples(baselineMin) - reading.baseline.requests : 0;
  return Math.max(0, subject, baseline);
}

function abortedResult(elapsedMs: number): Pick<WatchResult, 'results' | 'early' | 'aborted'> {
  return {
    results: [{ name: 'Verification', ok: false, value: `aborted after ${formatMs(elapsedMs)}`, threshold: 'full watch window' }],
    early: false,
    aborted: true,
  };
}

function unreadable(error: unknown): PostCheckResult {
  const reason = error instanceof Error ? error.message : String(error ?? 'no reading');
  return { name: 'Metrics', ok: false, value: `unreadable: ${reason}`, threshold: 'router metrics available' };
}

/** Keeps at most one probe run going and stops it with the window. */
class ProbeRunner {
  started = 0;
  private running: Promise<void> | null = null;
  private readonly controller = new AbortController();

  constructor(
    private readonly probe: WatchWindowOptions['probe'],
    signal: AbortSignal | undefined,
  ) {
    signal?.addEventListener('abort', () => this.controller.abort(), { once: true });
  }

  topUp(deficit: number): void {
    if (!this.probe || deficit <= 0 || this.running || this.controller.signal.aborted) return;
    this.started += 1;
    // Ask for a little more than the shortfall: some probes may land after the final reading.
    const count = deficit + Math.ceil(deficit * 0.1);
    this.running = Promise.resolve()
      .then(() => this.probe!(count, this.controller.signal))
      .then(
        () => undefined,
        () => undefined, // a failed probe shows up in the metrics; it is not a verdict by itself
      )
      .finally(() => {
        this.running = null;
      });
  }

  /** Sends no more probes, without waiting for requests in flight. */
  halt(): void {
    this.controller.abort();
  }

  /** Sends no more probes and waits for requests in flight, so the final reading includes them. */
  async stop(): Promise<void> {
    this.controller.abort();
    await this.running;
  }
}
