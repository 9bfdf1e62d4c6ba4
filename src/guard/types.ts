import type { PostCheckResult } from '../contracts/summary.js';

/** State of the release traffic would go back to. 'none': there is no previous release at all. */
export type PreviousRelease = 'warm' | 'cold' | 'none';

/** `restarts` crashes of the active release within `withinMs` count as a crash loop. */
export interface CrashLoopRule {
  restarts: number;
  withinMs: number;
}

export const defaultCrashLoop: CrashLoopRule = { restarts: 3, withinMs: 60_000 };

export type GuardAction = 'watch' | 'rollback' | 'alert' | 'expire';

export interface GuardDecision {
  action: GuardAction;
  /** One line for status and history: "Error Rate 12.5% (< 1%)", "insufficient traffic: …". */
  reason: string;
  figures: PostCheckResult[];
  /** The minimum-sample rule held the verdict back this tick. */
  insufficientTraffic: boolean;
  cause: 'metrics' | 'crash-loop' | null;
  /** Only meaningful for rollback/alert. */
  previous: PreviousRelease | null;
  /** Clock time of the decision (epoch ms with the default clock). */
  at: number;
}

export type GuardStateName = 'watching' | 'breached' | 'expired' | 'stopped';

export interface GuardSnapshot {
  state: GuardStateName;
  environment: string;
  startedAt: number | null;
  endsAt: number | null;
  remainingMs: number;
  lastFigures: PostCheckResult[];
  /** What `deploy status` shows under the state, e.g. "insufficient traffic: 12 requests in 30s (< 200 required)". */
  note: string | null;
  decision: GuardDecision | null;
  ticks: number;
}

/** Where the guard's decisions go (the runtime: switch back, history, notifications). */
export interface GuardConsumer {
  onBreach(decision: GuardDecision): void | Promise<void>;
  onExpire(snapshot: GuardSnapshot): void | Promise<void>;
  onTick?(decision: GuardDecision): void;
  /** A consumer callback or a reader threw; the guard carries on. */
  onError?(error: unknown): void;
}

/** Injected time: epoch milliseconds and a sleep that ends early when the signal aborts. */
export interface GuardClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
