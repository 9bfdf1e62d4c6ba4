/** `20261127-061500-abc1234`: UTC time of creation, then the short commit (or content hash). Sorts by age. */
export function formatReleaseId(at: Date, short: string): string {
  const iso = at.toISOString(); // 2026-11-27T06:15:00.000Z
  const date = iso.slice(0, 10).replace(/-/g, '');
  const time = iso.slice(11, 19).replace(/:/g, '');
  return `${date}-${time}-${short.slice(0, 7)}`;
}

export const RELEASE_ID_PATTERN = /^\d{8}-\d{6}-[0-9a-f]{7}(-\d+)?$/;

export function isReleaseId(name: string): boolean {
  return RELEASE_ID_PATTERN.test(name);
}
