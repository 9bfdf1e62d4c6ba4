import type { UpstreamMetrics } from '../contracts/metrics.js';
import type { PostCheckResult } from '../contracts/summary.js';
import { errorRate } from '../verify/analysis.js';
import type { Clock } from '../verify/clock.js';
import { type Outcome, clearBreaches, judge } from '../verify/compare/judge.js';
import type { JudgeThresholds } from '../verify/compare/thresholds.js';
import { generateProbeTraffic } from '../verify/probe.js';
import { requiredSamples, type CohortLabels } from '../verify/thresholds.js';

/** Figures of one side of a step (canary or stable, flagged or unflagged) over the step's window. */
export interface CohortFigures {
  requests: number;
  errors: number;
  errorRate: number;
  p95Ms: number;
}

/** One step of a canary or a flag rollout, as progress shows it and `--json` lists it. */
export interface StepReport {
  percent: number;
  ok: boolean;
  /** Decided before the interval ended: a clear breach, or a promote/abort from the operator. */
  decided: 'window' | 'early' | 'promote' | 'abort' | 'interrupted';
  /** The verdict on the figures; inconclusive (too few samples by the deadline) was settled by the onInconclusive policy. */
  outcome?: Outcome;
  durationMs: number;
  subject: CohortFigures;
  baseline: CohortFigures | null;
  checks: PostCheckResult[];
  probes: number;
}

export type StepSignal = 'promote' | 'abort' | null;

export interface StepGateInput {
  /** Share (0–100) of traffic the subject gets at this step. */
  percent: number;
  /** Reads both sides over the last `windowMs`. */
  read(windowMs: number): Promise<{ subject: UpstreamMetrics; baseline: UpstreamMetrics }>;
  thresholds: JudgeThresholds;
  labels: CohortLabels;
  intervalMs: number;
  /** Longest the step is held past its interval while the verdict is inconclusive (too few samples). */
  maxExtraMs: number;
  /**
   * Still inconclusive after maxExtraMs: rollback (the step fails, default), promote (the step passes; its
   * checks say it was not verified) or hold (the step stays held until `deploy promote` or `deploy abort`).
   */
  onInconclusive?: 'rollback' | 'hold' | 'promote';
  tickMs: number;
  /** Probe traffic through the router (no cookie, so it spreads by weight) to reach the sample minimum. */
  probe: { url: string; paths: string[]; requestTimeoutMs: number; concurrency: number } | null;
  clock: Clock;
  signal: AbortSignal;
  /** Polled every tick: `deploy promote` / `deploy abort`. */
  control?: () => Promise<StepSignal>;
}

export function figures(m: UpstreamMetrics): CohortFigures {
  return { requests: m.requests, errors: m.byClass['5xx'], errorRate: errorRate(m), p95Ms: m.latencyMs.p95 };
}

/**
 * Holds one step for its interval and judges it: the subject against the baseline in the same window (at 100% there
 * is no baseline, so the absolute gates only), with early failure on a clear breach and probe traffic when real
 * traffic cannot reach the sample minimum. Never passes on too few samples.
 */
export async function runStepGate(input: StepGateInput): Promise<StepReport> {
  const { clock, thresholds: t, labels } = input;
  const started = clock.now();
  const stopProbe = new AbortController();
  const probeSignal = AbortSignal.any([stopProbe.signal, input.signal]);
  const compare = input.percent < 100;
  const needed = requiredSamples(t.minRequests);
  const stillShort = async () => {
    const now = await input.read(Math.ceil(clock.now() - started) + 1_000);
    return now.subject.requests < needed || (compare && now.baseline.requests < needed);
  };
  const probing = input.probe ? startProbe(input.probe, input.percent, t.minRequests, probeSignal, stillShort) : Promise.resolve(0);
  let last = { subject: emptyMetrics('subject'), baseline: emptyMetrics('baseline') };
  const finish = async (ok: boolean, decided: StepReport['decided'], checks: PostCheckResult[], outcome?: Outcome): Promise<StepReport> => {
    stopProbe.abort();
    const probes = await probing;
    return {
      percent: input.percent,
      ok,
      decided,
      ...(outcome ? { outcome } : {}),
      durationMs: Math.round(clock.now() - started),
      subject: figures(last.subject),
      baseline: compare ? figures(last.baseline) : null,
      checks,
      probes,
    };
  };
  for (;;) {
    await clock.sleep(input.tickMs, input.signal);
    const elapsed = clock.now() - started;
    if (input.signal.aborted) return finish(false, 'interrupted', [{ name: `Step ${input.percent}%`, ok: false, value: 'interrupted', threshold: 'completed' }]);
    // Whole one-second buckets: the window reaches back to the step's start (a bucket of overlap at most).
    last = await input.read(Math.ceil(elapsed) + 1_000);
    const breaches = clearBreaches(compare ? last.baseline : null, last.subject, t, labels);
    if (breaches.length > 0) return finish(false, 'early', breaches, 'fail');
    const command = (await input.control?.()) ?? null;
    if (command === 'abort') return finish(false, 'abort', [{ name: `Step ${input.percent}%`, ok: false, value: 'aborted by the operator', threshold: 'not aborted' }]);
    if (command === 'promote') return finish(true, 'promote', [{ name: `Step ${input.percent}%`, ok: true, value: 'promoted by the operator', threshold: 'promote skips the remaining steps' }]);
    if (elapsed < input.intervalMs) continue;
    const verdict = judge(compare ? last.baseline : null, last.subject, t, labels);
    // Inconclusive holds the step: more traffic (and probes) may still decide it.
    if (verdict.outcome !== 'inconclusive') return finish(verdict.outcome === 'pass', 'window', verdict.checks, verdict.outcome);
    const policy = input.onInconclusive ?? 'rollback';
    if (elapsed < input.intervalMs + input.maxExtraMs || policy === 'hold') continue;
    return finish(policy === 'promote', 'window', verdict.checks, 'inconclusive');
  }
}

/**
 * Rounds of probes, each enough for both sides to reach the minimum at this split with a margin, a few at a time.
 * Cookie-less probes split by chance: a round that left a side short (15 probes at 50% can give stable 3) is
 * followed by another, until the step ends.
 */
async function startProbe(probe: NonNullable<StepGateInput['probe']>, percent: number, minRequests: number, signal: AbortSignal, stillShort: () => Promise<boolean>): Promise<number> {
  const share = Math.max(0.01, Math.min(percent, 100 - percent || 100) / 100);
  const count = Math.min(20_000, Math.ceil((requiredSamples(minRequests) / share) * 1.5));
  let sent = 0;
  for (;;) {
    const round = await generateProbeTraffic(probe.url, probe.paths, {
      count,
      concurrency: probe.concurrency,
      deadlineMs: 10 * 60_000,
      requestTimeoutMs: probe.requestTimeoutMs,
      signal,
    }).then((result) => result.sent, () => 0);
    sent += round;
    // A round that got no answer at all will not get one by repeating it at once.
    if (round === 0 || signal.aborted || !(await stillShort().catch(() => false))) return sent;
  }
}

function emptyMetrics(upstream: string): UpstreamMetrics {
  return { upstream, windowMs: 0, requests: 0, byClass: { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 }, proxyErrors: 0, inFlight: 0, latencyMs: { p50: 0, p95: 0, p99: 0, max: 0 } };
}

/** "10%: canary 52 req 0% err 12ms p95 | stable 470 req 0% err 11ms p95" */
export function describeStep(step: StepReport, labels: CohortLabels): string {
  const side = (f: CohortFigures) => `${f.requests} req, ${(f.errorRate * 100).toFixed(1)}% errors, p95 ${Math.round(f.p95Ms)}ms`;
  const base = step.baseline ? `; ${labels.baseline} ${side(step.baseline)}` : '';
  const failed = step.checks.find((c) => !c.ok);
  const verdict = step.ok ? 'ok' : `FAILED: ${failed ? `${failed.name} ${failed.value} (threshold ${failed.threshold})` : step.decided}`;
  return `${step.percent}%: ${labels.subject} ${side(step.subject)}${base} — ${verdict}`;
}
