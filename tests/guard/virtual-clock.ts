import type { GuardClock } from '../../src/guard/types.js';

/** Injected time: sleeping moves the clock forward at once, so a 30-minute guard runs in milliseconds. */
export function virtualClock(start = Date.parse('2026-11-27T06:00:00.000Z')): GuardClock & { set(t: number): void } {
  let now = start;
  return {
    now: () => now,
    async sleep(ms: number, signal?: AbortSignal) {
      if (signal?.aborted) return;
      now += ms;
      await Promise.resolve();
    },
    set(t: number) {
      now = t;
    },
  };
}
