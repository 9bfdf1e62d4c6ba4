/** Percentages in the config are strings like "1%" or "0.5%"; the resolved config holds fractions (0.01). */
export const PERCENT_PATTERN = /^\d+(?:\.\d+)?%$/;
export const PERCENT_MESSAGE = 'expected a percentage like "1%"';

export function parsePercent(text: string): number | null {
  const trimmed = text.trim();
  if (!PERCENT_PATTERN.test(trimmed)) return null;
  const value = Number(trimmed.slice(0, -1));
  return value <= 100 ? value / 100 : null;
}

export function formatPercent(fraction: number): string {
  const value = fraction * 100;
  return `${Number.isInteger(value) ? value : Number(value.toPrecision(2))}%`;
}
