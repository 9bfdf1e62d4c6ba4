import { afterEach, describe, expect, it } from 'vitest';
import { request as httpRequest } from 'node:http';
import { createRouter, type Router } from '../../src/router/router.js';
import { startUpstream, until } from './helpers.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(): Promise<{ router: Router; base: string; blue: Awaited<ReturnType<typeof startUpstream>> }> {
  const blue = await startUpstream('blue');
  cleanups.push(() => blue.close());
  const router = await createRouter({ port: 0, host: '127.0.0.1' });
  cleanups.push(() => router.close(100));
  await router.setActive({ id: 'blue', url: blue.url });
  return { router, base: `http://127.0.0.1:${router.port}`, blue };
}

describe('router edge cases', () => {
  it('streams a chunked response before the upstream has finished it', async () => {
    const { base, blue } = await setup();
    const response = await fetch(`${base}/stream`);
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(Buffer.from(first.value!).toString()).toBe('first;');
    blue.releaseParked();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += Buffer.from(chunk.value).toString();
    expect(rest).toBe('last');
  });

  it('relays HEAD and 304 answers without a body', async () => {
    const { base } = await setup();
    const head = await fetch(base, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('x-release')).toBe('blue');
    const notModified = await fetch(`${base}/not-modified`);
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get('etag')).toBe('"v1"');
  });

  it('cancels the upstream request when the client goes away', async () => {
    const { router, base, blue } = await setup();
    const req = httpRequest(`${base}/hang`);
    req.on('error', () => undefined);
    req.end();
    await until(() => blue.hung.length === 1, 5000, 'request at the upstream');
    req.destroy();
    expect(await blue.hung[0]).toBe('aborted');
    await until(() => router.metrics('blue', 60_000).inFlight === 0, 5000, 'in-flight back to 0');
    const metrics = router.metrics('blue', 60_000);
    expect(metrics.byClass['4xx']).toBe(1);
    expect(metrics.proxyErrors).toBe(0);
  });

  it('retries an idempotent request once when the upstream drops the connection before answering', async () => {
    const { router, base } = await setup();
    const first = await fetch(`${base}/reset-once`);
    expect(first.status).toBe(200);
    expect(await first.text()).toBe('blue');
    // A POST may have had effects upstream, so it is not retried.
    const post = await fetch(`${base}/reset-once`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(502);
    await post.text();
    const metrics = router.metrics('blue', 60_000);
    expect(metrics.byClass['2xx']).toBe(1);
    expect(metrics.proxyErrors).toBe(1);
  });

  it('cuts the client connection and counts a proxy error when the upstream dies mid-response', async () => {
    const { router, base } = await setup();
    await expect(fetch(`${base}/crash`).then((response) => response.text())).rejects.toThrow();
    await until(() => router.metrics('blue', 60_000).requests === 1, 5000, 'request recorded');
    const metrics = router.metrics('blue', 60_000);
    expect(metrics.inFlight).toBe(0);
    expect(metrics.proxyErrors).toBe(1);
    expect(metrics.byClass['5xx']).toBe(1);
  });
});
