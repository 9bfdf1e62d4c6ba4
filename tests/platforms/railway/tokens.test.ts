import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
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

  it('a redirect from the API is an error naming its target; the token is never sent there', async () => {
    // Another origin (127.0.0.2) that records whatever reaches it.
    const reached: IncomingHttpHeaders[] = [];
    const elsewhere = createServer((req, res) => {
      reached.push(req.headers);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{}}');
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.2', resolve));
    try {
      const target = `http://127.0.0.2:${(elsewhere.address() as AddressInfo).port}/graphql/v2`;
      h = await start();
      h.fake.seedLive('good');
      h.fake.redirectTo = `${target}?steal=1`;
      const result = await h.run(['staging', '--json']);
      expect(result.code, result.stderr).toBe(3);
      expect(json(result.stdout).checks.pre.find((c) => c.name === 'Railway Token')?.detail).toContain(`redirect (HTTP 307) to ${target}; not followed`);
      expect(reached).toEqual([]);
      expect(h.fake.calledOperations()).not.toContain('upload');
      expect(expectNoToken(h, result)).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => elsewhere.close(() => resolve()));
    }
  }, 180_000);
});
