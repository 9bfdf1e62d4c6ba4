import { describe, expect, it } from 'vitest';
import { excessZ } from '../../../src/verify/compare/proportion.js';

describe('excessZ', () => {
  it('is negative when both sides are clean', () => {
    expect(excessZ({ hits: 0, n: 1000 }, { hits: 0, n: 1000 }, 0.002)).toBeLessThan(0);
  });

  it('is large when the candidate is clearly worse by more than the margin', () => {
    expect(excessZ({ hits: 50, n: 1000 }, { hits: 2, n: 1000 }, 0.002)).toBeGreaterThan(3.1);
  });

  it('stays under the critical value for the same rate on both sides', () => {
    expect(excessZ({ hits: 3, n: 1500 }, { hits: 2, n: 1500 }, 0.002)).toBeLessThan(2.33);
  });

  it('does not flag a small excess inside the margin', () => {
    // 0.4% vs 0.3% with a 0.2pp margin: the excess is inside what is allowed.
    expect(excessZ({ hits: 40, n: 10_000 }, { hits: 30, n: 10_000 }, 0.002)).toBeLessThan(0);
  });

  it('is zero without samples', () => {
    expect(excessZ({ hits: 0, n: 0 }, { hits: 1, n: 10 }, 0)).toBe(0);
  });
});
