import type { UpstreamMetrics } from '../contracts/metrics.js';
import type { PostCheckResult } from '../contracts/summary.js';
import { sleepFor } from '../verify/clock.js';
import type { VerifyThresholds } from '../verify/thresholds.js';
import { breachAction, describeBreaches, evaluateTick } from './decide.js';
import { type TrafficRules, defaultTrafficRules } from './traffic.js';
import {
  type CrashLoopRule,
  type GuardClock,
  type GuardConsumer,
  type GuardDecision,
  type GuardSnapshot,
  type GuardStateName,
  type PreviousRelease,
  defaultCrashLoop,
} from './types.js';

export interface GuardOptions {
  environment: string;
  /** How long to watch after the switch (config `guard`, default 30m production / 5m others). */
  periodMs: number;
  /** Sliding analysis window (config `verify.window`). */
  windowMs: number;
  /** How often to read the window; default 1s. */
  tickMs?: number;
  thresholds: VerifyThresholds;
  crashLoop?: CrashLoopRule;
  /** Roll back on a breach even when the previous release is no longer warm. Default false: alert only. */
  autoRollbackWhenCold?: boolean;
  /** See TrafficRules: clarity of an error-rate breach (default 3.09) and ticks to confirm a p95 breach (default 2). */
  z?: number;
  confirmTicks?: number;
  /** The live release's metrics over the last `windowMs` (router `metrics(upstream, windowMs)`). */
  readMetrics(windowMs: number): Promise<UpstreamMetrics> | UpstreamMetrics;
  /** Asked only on a breach: can traffic go back right now? */
  previousRelease(): Promise<PreviousRelease> | PreviousRelease;
  consumer: GuardConsumer;
  clock?: GuardClock;
}

const realClock: GuardClock = { now: Date.now, sleep: sleepFor };

/**
 * Keeps watching the live release after a deploy returns. Each tick reads the
 * sliding window, applies the verification thresholds and the crash-loop
 * rule, and either keeps watching, acts on a breach once (rollback or alert),
 * or expires at the end of the period. Lives in the runtime, not the CLI.
 */
export class Guard {
  private status: GuardStateName | 'idle' = 'idle';
  private startedAt: number | null = null;
  private endsAt: number | null = null;
  private lastFigures: PostCheckResult[] = [];
  private note: string | null = null;
  private decision: GuardDecision | null = null;
  private ticks = 0;
  private p95Streak = 0;
  private readonly crashes: number[] = [];
  private readonly stopped = new AbortController();
  private wake = new AbortController();
  private running: Promise<GuardSnapshot> | null = null;
  private readonly clock: GuardClock;
  private readonly rules: TrafficRules;
  private readonly crashLoop: CrashLoopRule;
  private readonly tickMs: number;

  constructor(private readonly options: GuardOptions) {
    this.clock = options.clock ?? realClock;
    this.rules = {
      thresholds: options.thresholds,
      z: options.z ?? defaultTrafficRules.z,
      confirmTicks: Math.max(1, options.confirmTicks ?? defaultTrafficRules.confirmTicks),
    };
    this.crashLoop = options.crashLoop ?? defaultCrashLoop;
    this.tickMs = Math.max(1, options.tickMs ?? 1000);
  }

  /** Starts watching; returns at once. Calling it again does nothing. */
  start(): void {
    if (this.status !== 'idle') return;
    this.startedAt = this.clock.now();
    this.endsAt = this.startedAt + this.options.periodMs;
    this.status = 'watching';
    this.running = this.loop();
  }

  /** Ends the guard early (`deploy guard <env> --stop`); resolves when the current tick is over. No callback fires. */
  async stop(): Promise<GuardSnapshot> {
    if (this.status === 'watching' || this.status === 'idle') {
      this.status = 'stopped';
      this.note = 'stopped before the end of the period';
    }
    this.stopped.abort();
    return this.settled();
  }

  /** Resolves with the final snapshot once the guard has breached, expired or been stopped. */
  async settled(): Promise<GuardSnapshot> {
    if (this.running) await this.running;
    return this.state();
  }

  /** A crash or restart of the active release (from the supervisor). A loop is judged at once, not at the next tick. */
  recordCrash(at: number = this.clock.now()): void {
    this.crashes.push(at);
    const horizon = at - this.crashLoop.withinMs;
    while (this.crashes.length > 0 && this.crashes[0] < horizon) this.crashes.shift();
    this.wake.abort();
  }

  state(): GuardSnapshot {
    const now = this.clock.now();
    return {
      state: this.status === 'idle' ? 'stopped' : this.status,
      environment: this.options.environment,
      startedAt: this.startedAt,
      endsAt: this.endsAt,
      remainingMs: this.status === 'watching' && this.endsAt !== null ? Math.max(0, this.endsAt - now) : 0,
      lastFigures: this.lastFigures,
      note: this.note,
      decision: this.decision,
      ticks: this.ticks,
    };
  }

  private async loop(): Promise<GuardSnapshot> {
    while (this.status === 'watching') {
      const decision = await this.tick();
      if (this.status !== 'watching') break;
      this.ticks += 1;
      this.lastFigures = decision.figures;
      this.decision = decision;
      this.safely(() => this.options.consumer.onTick?.(decision));
      if (decision.action === 'rollback' || decision.action === 'alert') {
        this.status = 'breached';
        this.note = decision.reason;
        await this.safelyAsync(() => this.options.consumer.onBreach(decision));
        break;
      }
      if (decision.action === 'expire') {
        this.status = 'expired';
        await this.safelyAsync(() => this.options.consumer.onExpire(this.state()));
        break;
      }
      const wait = Math.min(this.tickMs, this.endsAt! - this.clock.now());
      if (wait > 0 && !this.wake.signal.aborted) {
        await this.clock.sleep(wait, AbortSignal.any([this.stopped.signal, this.wake.signal]));
      }
      this.wake = new AbortController();
    }
    return this.state();
  }

  private async tick(): Promise<GuardDecision> {
    let metrics: UpstreamMetrics | null = null;
    let metricsError: string | null = null;
    try {
      metrics = await this.options.readMetrics(this.options.windowMs);
    } catch (error) {
      metricsError = error instanceof Error ? error.message : String(error);
    }
    const now = this.clock.now();
    const verdict = evaluateTick({
      now,
      endsAt: this.endsAt!,
      metrics,
      metricsError,
      crashes: this.crashes,
      crashLoop: this.crashLoop,
      rules: this.rules,
      p95Streak: this.p95Streak,
    });
    this.p95Streak = verdict.p95Streak;
    this.note = verdict.note;
    const base = { figures: verdict.figures, insufficientTraffic: verdict.insufficient, at: now };
    if (verdict.verdict === 'breach') {
      const previous = await this.previous();
      const action = breachAction(previous, this.options.autoRollbackWhenCold ?? false);
      return { ...base, action, cause: verdict.cause, previous, reason: describeBreaches(verdict.breaches) };
    }
    if (verdict.verdict === 'expired') {
      return { ...base, action: 'expire', cause: null, previous: null, reason: verdict.note ?? 'guard period ended without a breach' };
    }
    return { ...base, action: 'watch', cause: null, previous: null, reason: verdict.note ?? 'within thresholds' };
  }

  private async previous(): Promise<PreviousRelease> {
    try {
      return await this.options.previousRelease();
    } catch (error) {
      // Unknown means we cannot promise an instant switch back: alert rather than roll back blindly.
      this.report(error);
      return 'cold';
    }
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.report(error);
    }
  }

  private report(error: unknown): void {
    try {
      this.options.consumer.onError?.(error);
    } catch {
      // nothing left to report to
    }
  }

  private async safelyAsync(fn: () => void | Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (error) {
      this.report(error);
    }
  }
}
