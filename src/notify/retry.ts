import { DeliveryError } from './delivery-error.js';

export interface RetryPolicy {
  /** Total attempts, the first included. */
  attempts: number;
  initialDelayMs: number;
  factor: number;
  maxDelayMs: number;
  /** Limit for one attempt (HTTP request or hook run). */
  timeoutMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  attempts: 4,
  initialDelayMs: 1_000,
  factor: 2,
  maxDelayMs: 30_000,
  timeoutMs: 10_000,
};

/** Delay before attempt `attempt + 1` (attempt counts from 1): 1s, 2s, 4s... capped, or the server's Retry-After when longer. */
export function backoffDelay(policy: RetryPolicy, attempt: number, retryAfterMs?: number): number {
  const exponential = policy.initialDelayMs * policy.factor ** (attempt - 1);
  return Math.min(policy.maxDelayMs, Math.max(exponential, retryAfterMs ?? 0));
}

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface AttemptOutcome {
  ok: boolean;
  attempts: number;
  /** Last failure, when not ok. */
  reason?: string;
}

/** Runs `attempt` until it resolves, fails for good, or runs out of attempts. Never throws. */
export async function withRetries(
  attempt: (timeoutMs: number, signal: AbortSignal) => Promise<void>,
  policy: RetryPolicy,
  sleep: Sleep,
  signal: AbortSignal,
): Promise<AttemptOutcome> {
  let reason = 'not attempted';
  for (let n = 1; n <= policy.attempts; n++) {
    if (signal.aborted) return { ok: false, attempts: n - 1, reason: `cancelled after: ${reason}` };
    try {
      await attempt(policy.timeoutMs, signal);
      return { ok: true, attempts: n };
    } catch (error) {
      const delivery = error instanceof DeliveryError ? error : null;
      reason = error instanceof Error ? error.message : String(error);
      if (delivery && !delivery.retryable) return { ok: false, attempts: n, reason };
      if (n < policy.attempts) await sleep(backoffDelay(policy, n, delivery?.retryAfterMs), signal);
    }
  }
  return { ok: false, attempts: policy.attempts, reason };
}
