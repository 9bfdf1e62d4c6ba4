import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ACCESS_LOG_FILE, AccessLog } from '../../src/router/access-log.js';
import { createRouter } from '../../src/router/router.js';
import { startUpstream, tempStateDir } from './helpers.js';
import { rawExchange } from './raw.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const entries = (path: string) =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('access log', () => {
  it('writes one JSON line per request with time, method, path, status, bytes, duration, release and client, 0600', async () => {
    const state = await tempStateDir();
    cleanups.push(() => state.remove());
    const blue = await startUpstream('blue');
    cleanups.push(() => blue.close());
    const router = await createRouter({ port: 0, host: '127.0.0.1', stateDir: state.dir });
    const base = `http://127.0.0.1:${router.port}`;
    expect((await fetch(`${base}/before`)).status).toBe(503);
    await router.setActive({ id: 'blue', url: blue.url });
    const ok = await fetch(`${base}/a?b="c"`);
    const body = await ok.text();
    await fetch(`${base}/echo`, { method: 'POST', body: 'hello' }).then((r) => r.text());
    expect(await rawExchange(router.port, ['GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n'])).toMatch(/^HTTP\/1\.1 400 /);
    await router.close(100);
    const path = join(state.dir, ACCESS_LOG_FILE);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const log = entries(path);
    expect(log).toHaveLength(4);
    expect(log[0]).toMatchObject({ method: 'GET', path: '/before', status: 503, release: '-', client: '127.0.0.1' });
    expect(log[1]).toMatchObject({ method: 'GET', path: '/a?b=%22c%22', status: 200, release: 'blue', client: '127.0.0.1' });
    expect(log[1].bytes as number).toBeGreaterThan(body.length);
    expect(typeof log[1].durationMs).toBe('number');
    expect(Date.parse(log[1].time as string)).not.toBeNaN();
    expect(log[2]).toMatchObject({ method: 'POST', path: '/echo', status: 200, release: 'blue' });
    expect(log[3]).toMatchObject({ method: '-', status: 400 });
  });

  it('rotates by size and keeps the configured number of old files', async () => {
    const state = await tempStateDir();
    cleanups.push(() => state.remove());
    const log = new AccessLog(state.dir, { maxBytes: 2048, keep: 2, flushMs: 60_000 });
    for (let batch = 0; batch < 12; batch++) {
      for (let i = 0; i < 10; i++) log.add('GET', `/page/${batch}/${i}`, 200, 10, 1.5, 'blue', '127.0.0.1');
      await log.flush();
    }
    await log.close();
    const path = join(state.dir, ACCESS_LOG_FILE);
    expect(existsSync(`${path}.1`)).toBe(true);
    expect(existsSync(`${path}.2`)).toBe(true);
    expect(existsSync(`${path}.3`)).toBe(false);
    for (const file of [`${path}.1`, `${path}.2`]) {
      expect(statSync(file).size).toBeGreaterThanOrEqual(2048);
      expect(entries(file).every((entry) => entry.method === 'GET' && entry.status === 200)).toBe(true);
    }
    // The newest entry is in the current file or, just rotated, in .1.
    const last = existsSync(path) && statSync(path).size > 0 ? entries(path).at(-1) : entries(`${path}.1`).at(-1);
    expect(last).toMatchObject({ path: '/page/11/9' });
  });

  it('is off with accessLog: false', async () => {
    const state = await tempStateDir();
    cleanups.push(() => state.remove());
    const blue = await startUpstream('blue');
    cleanups.push(() => blue.close());
    const router = await createRouter({ port: 0, host: '127.0.0.1', stateDir: state.dir });
    await router.configure({ limits: {}, trustedProxies: [], trustUserHeader: false, accessLog: false });
    await router.setActive({ id: 'blue', url: blue.url });
    await fetch(`http://127.0.0.1:${router.port}/`).then((r) => r.text());
    await router.close(100);
    expect(existsSync(join(state.dir, ACCESS_LOG_FILE))).toBe(false);
  });
});
