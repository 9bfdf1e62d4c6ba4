import { describe, expect, it } from 'vitest';
import { inCanary, readCookie, stickyBucket } from '../../src/router/sticky.js';
import { pickUpstream } from '../../src/router/pick.js';
import type { RoutingTable } from '../../src/router/types.js';

describe('sticky cookie hash', () => {
  it('is a stable bucket in 0–99', () => {
    expect(stickyBucket('abc')).toBe(stickyBucket('abc'));
    // FNV-1a of "a" is 0xe40c292c = 3826002220.
    expect(stickyBucket('a')).toBe(3826002220 % 100);
    for (const key of ['', 'x', 'a much longer cookie value', 'ünïcode']) {
      const bucket = stickyBucket(key);
      expect(bucket).toBeGreaterThanOrEqual(0);
      expect(bucket).toBeLessThan(100);
    }
  });

  it('spreads random keys evenly enough for percentages', () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => `client-${i}-${(i * 7919) % 104729}`);
    const share = keys.filter((key) => inCanary(key, 25)).length / keys.length;
    expect(share).toBeGreaterThan(0.22);
    expect(share).toBeLessThan(0.28);
  });

  it('only moves clients towards the canary when the percentage grows', () => {
    const keys = Array.from({ length: 2000 }, (_, i) => `k${i}`);
    for (const key of keys) if (inCanary(key, 10)) expect(inCanary(key, 50)).toBe(true);
    expect(keys.every((key) => !inCanary(key, 0))).toBe(true);
    expect(keys.every((key) => inCanary(key, 100))).toBe(true);
  });

  it('reads one cookie from a Cookie header', () => {
    expect(readCookie('a=1; shipgate_split=xyz; b=2', 'shipgate_split')).toBe('xyz');
    expect(readCookie('shipgate_split=first', 'shipgate_split')).toBe('first');
    expect(readCookie('other=1', 'shipgate_split')).toBeUndefined();
    expect(readCookie(undefined, 'shipgate_split')).toBeUndefined();
  });
});

describe('pickUpstream', () => {
  const blue = { id: 'blue', url: 'http://127.0.0.1:1' };
  const green = { id: 'green', url: 'http://127.0.0.1:2' };
  const table = (canary: RoutingTable['canary']): RoutingTable => ({ version: 1, active: blue, canary, updatedAt: '' });

  it('sends everything to the active upstream without a canary', () => {
    expect(pickUpstream(table(null), undefined, () => 0, () => 'k')?.upstream).toBe(blue);
    expect(pickUpstream({ ...table(null), active: null }, undefined, () => 0, () => 'k')).toBeNull();
  });

  it('splits per request by the random source', () => {
    const split = table({ upstream: green, percent: 30, sticky: false });
    expect(pickUpstream(split, undefined, () => 0.29, () => 'k')?.upstream).toBe(green);
    expect(pickUpstream(split, undefined, () => 0.3, () => 'k')?.upstream).toBe(blue);
  });

  it('follows the cookie when sticky and hands out a key when there is none', () => {
    const split = table({ upstream: green, percent: 50, sticky: true });
    const key = Array.from({ length: 100 }, (_, i) => `k${i}`).find((candidate) => inCanary(candidate, 50))!;
    expect(pickUpstream(split, key, () => 0.99, () => 'unused')?.upstream).toBe(green);
    const fresh = pickUpstream(split, undefined, () => 0.99, () => key);
    expect(fresh?.newStickyKey).toBe(key);
    expect(fresh?.upstream).toBe(green);
  });
});
