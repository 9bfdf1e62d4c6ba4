import type { PostCheckResult } from '../contracts/summary.js';
import type { CrashLoopRule } from './types.js';

export const CRASH_LOOP_CHECK = 'Crash Loop';

/** Crashes of the active release inside the rule's window ending at `now`. */
export function recentCrashes(crashTimes: readonly number[], now: number, rule: CrashLoopRule): number {
  return crashTimes.filter((t) => t <= now && now - t <= rule.withinMs).length;
}

/** The crash-loop check as a figure; ok while fewer than `restarts` crashes fall in the window. */
export function crashLoopCheck(crashTimes: readonly number[], now: number, rule: CrashLoopRule): PostCheckResult {
  const count = recentCrashes(crashTimes, now, rule);
  const span = formatSpan(rule.withinMs);
  return {
    name: CRASH_LOOP_CHECK,
    ok: count < rule.restarts,
    value: `${count} restart${count === 1 ? '' : 's'} in the last ${span}`,
    threshold: `< ${rule.restarts} in ${span}`,
  };
}

function formatSpan(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
