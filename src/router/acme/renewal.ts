/** The validity of an issued certificate, as read from it. */
export interface Validity {
  notBefore: number;
  notAfter: number;
}

/**
 * When a certificate is renewed: `renewBeforeMs` before it expires, or by default once a third of its lifetime is
 * left (30 of Let's Encrypt's 90 days; a minute and a half of a five-minute test certificate).
 */
export function renewAt(validity: Validity, renewBeforeMs?: number): number {
  const window = renewBeforeMs ?? (validity.notAfter - validity.notBefore) / 3;
  return validity.notAfter - window;
}

export function isDue(validity: Validity, now: number, renewBeforeMs?: number): boolean {
  return now >= renewAt(validity, renewBeforeMs);
}

/** After a failed attempt: 1 min, doubling, at most 1 h, and never past what is left of the certificate's life. */
export function retryDelayMs(failures: number, validity: Validity | null, now: number): number {
  const backoff = Math.min(60_000 * 2 ** Math.max(0, failures - 1), 3_600_000);
  if (validity === null) return backoff;
  return Math.max(60_000, Math.min(backoff, (validity.notAfter - now) / 2));
}
