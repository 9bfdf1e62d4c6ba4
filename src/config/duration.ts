/** Durations in the config and on the command line: "500ms", "30s", "5m", "1h", "7d", or compounds like "1m30s". */
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
type Unit = keyof typeof UNIT_MS;

export const DURATION_PATTERN = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
export const DURATION_MESSAGE = 'expected a duration like "500ms"';
/** Anything longer is a typo, not a plan: 30 days. */
export const MAX_DURATION_MS = 30 * UNIT_MS.d;

/** Returns milliseconds, or null when the text is not a duration or is absurdly long (past `maxMs`, 30 days by default). */
export function parseDuration(text: string, maxMs = MAX_DURATION_MS): number | null {
  const trimmed = text.trim();
  if (!DURATION_PATTERN.test(trimmed)) return null;
  let total = 0;
  for (const match of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) {
    total += Number(match[1]) * UNIT_MS[match[2] as Unit];
  }
  total = Math.round(total);
  return total <= maxMs ? total : null;
}

export function isDuration(text: string): boolean {
  return parseDuration(text) !== null;
}

/** Short human form: 850ms, 12.3s, 2m 15s, 1h 5m. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(ms < 10_000 ? 1 : 0)}s`;
  if (ms < 3_600_000) {
    const minutes = Math.floor(ms / 60_000);
    const seconds = Math.round((ms % 60_000) / 1_000);
    return seconds ? `${minutes}m ${seconds}s` : `${minutes}m`;
  }
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.round((ms % 3_600_000) / 60_000);
  return minutes ? `${hours}h ${minutes}m` : `${hours}h`;
}
