/** Cookie that pins a client to one side of a canary split. Its value is a random key; the side is a pure function of it. */
export const STICKY_COOKIE = 'shipgate_split';

/** FNV-1a 32-bit hash of a string, folded to a bucket in 0–99. */
export function stickyBucket(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % 100;
}

/** True when the key falls inside the canary's share. Raising the percentage only moves clients towards the canary. */
export function inCanary(key: string, percent: number): boolean {
  return stickyBucket(key) < percent;
}

/** Reads one cookie value from a Cookie header without building a map of all cookies. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  let start = 0;
  while (start < header.length) {
    let end = header.indexOf(';', start);
    if (end === -1) end = header.length;
    const eq = header.indexOf('=', start);
    if (eq !== -1 && eq < end && header.slice(start, eq).trim() === name) return header.slice(eq + 1, end).trim();
    start = end + 1;
  }
  return undefined;
}
