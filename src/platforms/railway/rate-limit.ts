/**
 * How long Railway asks us to wait, from `Retry-After` (seconds or an HTTP date) or, failing that,
 * `X-RateLimit-Reset` (epoch seconds, or seconds from now when small). Null when neither says.
 */
export function retryDelayMs(headers: Headers, nowMs: number): number | null {
  const retryAfter = headers.get('retry-after');
  if (retryAfter !== null && retryAfter.trim() !== '') {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
    const at = Date.parse(retryAfter);
    if (Number.isFinite(at)) return Math.max(0, at - nowMs);
  }
  const reset = headers.get('x-ratelimit-reset');
  if (reset !== null && reset.trim() !== '') {
    const value = Number(reset);
    if (Number.isFinite(value)) {
      // Epoch seconds (or milliseconds) vs. a count of seconds from now.
      if (value > 1e12) return Math.max(0, value - nowMs);
      if (value > 1e9) return Math.max(0, value * 1000 - nowMs);
      return Math.max(0, Math.round(value * 1000));
    }
    const at = Date.parse(reset);
    if (Number.isFinite(at)) return Math.max(0, at - nowMs);
  }
  return null;
}

/** True when a successful answer says the budget is spent: the next request should wait for the reset. */
export function budgetSpent(headers: Headers): boolean {
  const remaining = headers.get('x-ratelimit-remaining');
  return remaining !== null && remaining.trim() !== '' && Number(remaining) <= 0;
}
