/** Default watch periods (issue 12): 30 minutes for production, 5 minutes for everything else. */
export const DEFAULT_GUARD_MS = { production: 30 * 60_000, other: 5 * 60_000 } as const;

export function defaultGuardPeriodMs(environment: string): number {
  return environment === 'production' ? DEFAULT_GUARD_MS.production : DEFAULT_GUARD_MS.other;
}

/** The previous release must stay warm at least as long as the guard watches, or a breach could only alert. */
export function warmPeriodMs(keepWarmMs: number, guardMs: number): number {
  return Math.max(keepWarmMs, guardMs);
}
