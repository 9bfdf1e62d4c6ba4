import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HealthCheck, waitHealthy, type HealthCheckConsumer } from '../../src/router/health-check.js';
import { refusedPort, until } from './helpers.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** An app whose /health answers 503 for the first `failures` checks, then 200; `hang` never answers. */
async function app(failures: number, hang = false): Promise<{ url: string; checks: () => number }> {
  let checks = 0;
  const server = createServer((req, res) => {
    checks++;
    if (hang) return;
    res.writeHead(checks > failures ? 200 : 503);
    res.end();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, checks: () => checks };
}

describe('health checks', () => {
  it('reports each check to its consumer until closed', async () => {
    const target = await app(2);
    const results: [boolean, string][] = [];
    const consumer: HealthCheckConsumer = { healthCheckCompleted: (success, detail) => results.push([success, detail]) };
    const check = new HealthCheck(consumer, target.url, '/health', { intervalMs: 10, timeoutMs: 500 }).start();
    await until(() => results.length >= 4, 10_000, 'four checks');
    check.close();
    expect(results.slice(0, 3).map(([success]) => success)).toEqual([false, false, true]);
    expect(results[0][1]).toBe('GET /health answered 503');
  });

  it('waits until the upstream is healthy', async () => {
    const target = await app(3);
    const result = await waitHealthy(target.url, '/health', { intervalMs: 10, timeoutMs: 500, deadlineMs: 10_000 });
    expect(result.healthy).toBe(true);
    expect(result.attempts).toBe(4);
  });

  it('gives up at the deadline when checks keep failing', async () => {
    const target = await app(Number.MAX_SAFE_INTEGER);
    const result = await waitHealthy(target.url, '/health', { intervalMs: 10, timeoutMs: 100, deadlineMs: 400 });
    expect(result.healthy).toBe(false);
    expect(result.attempts).toBeGreaterThanOrEqual(1);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(395);
    expect(result.last).toBe('GET /health answered 503');
  });

  it('times out a hanging check and reports a refused connection', async () => {
    const hanging = await app(0, true);
    const hung = await waitHealthy(hanging.url, '/health', { intervalMs: 10, timeoutMs: 30, deadlineMs: 200 });
    expect(hung.healthy).toBe(false);
    expect(hung.last).toContain('timed out after 30 ms');

    const port = await refusedPort();
    const refused = await waitHealthy(`http://127.0.0.1:${port}`, '/health', { intervalMs: 10, timeoutMs: 100, deadlineMs: 100 });
    expect(refused.healthy).toBe(false);
    expect(refused.last).toContain('ECONNREFUSED');
  });
});
