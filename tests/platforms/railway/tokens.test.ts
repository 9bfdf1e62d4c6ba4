import { describe, expect, it } from 'vitest';
import { expectNoToken, railwayContractSuite, summaryJson as json, TOKEN, type Harness } from './support/harness.js';

const { available, start } = railwayContractSuite();
let h: Harness;

describe.skipIf(!available)('Railway contract tests: tokens and rate limits through the real CLI', () => {
  it('a 429 with Retry-After is honoured: the same query is retried after the wait', async () => {
    h = await start();
    h.fake.seedLive('good');
    h.fake.rateLimit = { operation: 'ShipgateDeployment', retryAfter: '1' };
    const result = await h.run(['staging', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const polls = h.fake.calls.filter((c) => c.operation === 'ShipgateDeployment');
    const limited = polls.findIndex((c) => c.status === 429);
    expect(limited).toBeGreaterThanOrEqual(0);
    expect(polls[limited + 1]!.at - polls[limited]!.at).toBeGreaterThanOrEqual(950);
    expect(result.stderr).toContain('rate limited (429)');
  }, 180_000);

  it('a bad token is exit 3 at the pre-checks with one clear line, and nothing is deployed', async () => {
    h = await start();
    h.fake.seedLive('good');
    const result = await h.run(['staging'], { RAILWAY_TOKEN: 'wrong-token-value' });
    expect(result.code, result.stderr).toBe(3);
    expect(result.stdout).toMatch(/Railway Token.*refused/);
    expect(result.stdout).not.toContain('wrong-token-value');
    expect(result.stderr).not.toContain('wrong-token-value');
    expect(h.fake.calledOperations()).not.toContain('upload');
    expect(h.fake.deployments).toHaveLength(1);
  }, 180_000);

  it('an account token authenticates with Authorization: Bearer', async () => {
    h = await start({ tokenKind: 'account' });
    h.fake.seedLive('good');
    const result = await h.run(['staging', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(json(result.stdout).checks.pre.find((c) => c.name === 'Railway Token')?.detail).toContain('RAILWAY_API_TOKEN');
    expect(result.stdout).not.toContain(TOKEN);
  }, 180_000);
});
