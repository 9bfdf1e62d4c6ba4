import { describe, expect, it } from 'vitest';
import { detectRunner, parseJestText, parseMochaText, parseNodeTestText, parseVitestText } from '../../src/checks/test-output-parsers.js';

describe('test output parsers', () => {
  it('detects the runner from a script', () => {
    expect(detectRunner('vitest run --coverage')).toBe('vitest');
    expect(detectRunner('NODE_OPTIONS=--experimental-vm-modules jest')).toBe('jest');
    expect(detectRunner('mocha "test/**/*.spec.js"')).toBe('mocha');
    expect(detectRunner('node --test test/')).toBe('node-test');
    expect(detectRunner('node scripts/run-tests.js')).toBe('unknown');
  });

  it('reads jest closing lines and ● names', () => {
    const out = ` FAIL  test/a.test.js
  cart
    ✓ adds items (2 ms)
    ✕ applies discount (3 ms)

  ● cart › applies discount

    expect(received).toBe(expected) // Object.is equality

Test Suites: 1 failed, 1 total
Tests:       1 failed, 1 skipped, 2 passed, 4 total
Snapshots:   0 total
`;
    expect(parseJestText(out)).toEqual({ passed: 2, failed: 1, skipped: 1, failedNames: ['cart > applies discount'] });
  });

  it('reads mocha closing lines and the failing title path', () => {
    const out = `
  cart
    ✔ adds items
    1) applies discount
  checkout
    2) charges card


  5 passing (6ms)
  1 pending
  2 failing

  1) cart
       applies discount:

      AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:

  2) checkout
       charges card:
     Error: boom
`;
    expect(parseMochaText(out)).toEqual({
      passed: 5,
      failed: 2,
      skipped: 1,
      failedNames: ['cart > applies discount', 'checkout > charges card'],
    });
  });

  it('reads node --test spec output (Node 22+ default)', () => {
    const out = `✔ adds (0.5ms)
✖ breaks things (1.1ms)
ℹ tests 3
ℹ suites 0
ℹ pass 2
ℹ fail 1
ℹ cancelled 0
ℹ skipped 0
ℹ todo 0

✖ failing tests:

test at a.test.mjs:4:1
✖ breaks things (1.1ms)
`;
    expect(parseNodeTestText(out)).toEqual({ passed: 2, failed: 1, skipped: 0, failedNames: ['breaks things'] });
  });

  it('strips colours from vitest output and returns null for non-matching text', () => {
    const out = '\u001b[31m FAIL \u001b[39m test/a.test.js > cart > applies discount\n      Tests  \u001b[31m1 failed\u001b[39m | 2 passed (3)\n';
    expect(parseVitestText(out)).toEqual({ passed: 2, failed: 1, skipped: 0, failedNames: ['cart > applies discount'] });
    expect(parseVitestText('hello')).toBeNull();
  });
});
