import type { UpstreamMetrics } from '../contracts/metrics.js';
import type { PostCheckResult } from '../contracts/summary.js';
import { crashLoopCheck, recentCrashes } from './crash-loop.js';
import { type TrafficRules, assessTraffic } from './traffic.js';
import type { CrashLoopRule, GuardAction, PreviousRelease } from './types.js';

export interface TickInput {
  now: number;
  endsAt: number;
  /** Sliding window of the live release; null when it could not be read. */
  metrics: UpstreamMetrics | null;
  metricsError?: string | null;
  crashes: readonly number[];
  crashLoop: CrashLoopRule;
  rules: TrafficRules;
  p95Streak: number;
}

export interface TickVerdict {
  verdict: 'ok' | 'breach' | 'expired';
  figures: PostCheckResult[];
  breaches: PostCheckResult[];
  cause: 'metrics' | 'crash-loop' | null;
  insufficient: boolean;
  note: string | null;
  p95Streak: number;
}

/**
 * One tick, pure: a crash loop or a clear threshold breach is a breach; too
 * few samples never breach and never pass silently (the note says so); with
 * neither, the guard expires once its period is over.
 */
export function evaluateTick(input: TickInput): TickVerdict {
  const crash = crashLoopCheck(input.crashes, input.now, input.crashLoop);
  const traffic = input.metrics ? assessTraffic(input.metrics, input.rules, input.p95Streak) : null;
  const figures: PostCheckResult[] = traffic
    ? [...traffic.figures]
    : [{ name: 'Metrics', ok: false, value: `unreadable: ${input.metricsError ?? 'no reading'}`, threshold: 'router metrics available' }];
  if (recentCrashes(input.crashes, input.now, input.crashLoop) > 0) figures.push(crash);
  const p95Streak = traffic?.p95Streak ?? input.p95Streak;
  const insufficient = traffic?.insufficient ?? false;
  const note = traffic ? traffic.note : figures[0].value;

  if (!crash.ok) {
    return { verdict: 'breach', figures, breaches: [crash, ...(traffic?.breaches ?? [])], cause: 'crash-loop', insufficient, note, p95Streak };
  }
  if (traffic && traffic.breaches.length > 0) {
    return { verdict: 'breach', figures, breaches: traffic.breaches, cause: 'metrics', insufficient, note, p95Streak };
  }
  const verdict = input.now >= input.endsAt ? 'expired' : 'ok';
  return { verdict, figures, breaches: [], cause: null, insufficient, note, p95Streak };
}

/** What a breach does: roll back while the previous release is warm, or when configured to even if cold; otherwise alert. */
export function breachAction(previous: PreviousRelease, autoRollbackWhenCold: boolean): Extract<GuardAction, 'rollback' | 'alert'> {
  if (previous === 'warm') return 'rollback';
  if (previous === 'cold' && autoRollbackWhenCold) return 'rollback';
  return 'alert';
}

export function describeBreaches(breaches: readonly PostCheckResult[]): string {
  return breaches.map((b) => `${b.name} ${b.value} (${b.threshold})`).join('; ');
}
