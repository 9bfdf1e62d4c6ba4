import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/config/duration.js';
import { formatPercent, parsePercent } from '../../src/config/percent.js';
import { deepMerge } from '../../src/config/merge.js';

describe('durations', () => {
  it('parses units and compounds into milliseconds', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('7d')).toBe(604_800_000);
    expect(parseDuration('0s')).toBe(0);
  });
  it('refuses negative, unitless, unknown and absurd values', () => {
    for (const bad of ['-5s', '500', 'fast', '5 minutes', '31d', '', '1w']) expect(parseDuration(bad)).toBeNull();
  });
  it('formats for people', () => {
    expect(formatDuration(850)).toBe('850ms');
    expect(formatDuration(2_340)).toBe('2.3s');
    expect(formatDuration(135_000)).toBe('2m 15s');
    expect(formatDuration(3_900_000)).toBe('1h 5m');
  });
});

describe('percentages', () => {
  it('become fractions', () => {
    expect(parsePercent('1%')).toBe(0.01);
    expect(parsePercent('0.5%')).toBe(0.005);
    expect(parsePercent('100%')).toBe(1);
    expect(parsePercent('101%')).toBeNull();
    expect(parsePercent('1')).toBeNull();
    expect(formatPercent(0.001)).toBe('0.1%');
  });
});

describe('deepMerge', () => {
  it('merges mappings and replaces lists and scalars', () => {
    expect(deepMerge({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] }, d: undefined, e: false })).toEqual({ a: { b: 1, c: [3] }, d: 1, e: false });
  });
});
