import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GATE_FILE } from '../../src/router/gate.js';
import { createRouter, type Router } from '../../src/router/router.js';
import { startUpstream, tempStateDir, until } from './helpers.js';
import { rawExchange } from './raw.js';

/** `deploy pause` and `deploy maintenance` as the router does them: held requests, the 504 deadline, the 503 page. */
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(stateDir?: string): Promise<{ router: Router; blue: Awaited<ReturnType<typeof startUpstream>>; base: string }> {
  const blue = await startUpstream('blue');
  cleanups.push(() => blue.close());
  const router = await createRouter({ port: 0, host: '127.0.0.1', stateDir });
  cleanups.push(() => router.close(100));
  await router.setActive({ id: 'blue', url: blue.url });
  return { router, blue, base: `http://127.0.0.1:${router.port}` };
}

const heldCount = (router: Router) => {
  const gate = router.status().gate;
  return 'held' in gate ? gate.held : 0;
};

describe('pause and maintenance', () => {
  it('holds requests while paused and lets them through on resume', async () => {
    const { router, blue, base } = await setup();
    await router.pause(600_000);
    const answers = Promise.all([fetch(`${base}/a`).then((r) => r.text()), fetch(`${base}/echo`, { method: 'POST', body: 'held body' }).then((r) => r.text())]);
    await until(() => heldCount(router) === 2, 10_000, 'two held requests');
    expect(blue.seen).toHaveLength(0);
    expect(router.status().gate).toMatchObject({ state: 'paused', failAfterMs: 600_000, held: 2 });
    expect(await router.resume()).toMatchObject({ state: 'paused' });
    expect(await answers).toEqual(['blue', 'held body']);
    expect(router.status().gate).toEqual({ state: 'serving' });
  });

  it('answers 504 to a request held past the pause deadline', async () => {
    const { router, blue } = await setup();
    await router.pause(50);
    expect(await rawExchange(router.port, ['GET / HTTP/1.1\r\nHost: x\r\n\r\n'])).toMatch(/^HTTP\/1\.1 504 /);
    expect(blue.seen).toHaveLength(0);
  });

  it('answers 503 with an escaped maintenance page, on a kept-alive connection, and sends held requests there too', async () => {
    const { router, base } = await setup();
    await router.pause(600_000);
    const held = fetch(`${base}/`);
    await until(() => heldCount(router) === 1, 10_000, 'a held request');
    await router.maintenance('Back at <b>10:00</b> & soon');
    const first = await held;
    expect(first.status).toBe(503);
    expect(first.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await first.text()).toContain('Back at &#60;b&#62;10:00&#60;/b&#62; &#38; soon');
    const twice = await rawExchange(router.port, ['GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']);
    expect(twice.match(/HTTP\/1\.1 503 /g)).toHaveLength(2);
    await router.resume();
    expect(await (await fetch(`${base}/`)).text()).toBe('blue');
  });

  it('keeps maintenance across a router restart, until resumed', async () => {
    const state = await tempStateDir();
    cleanups.push(() => state.remove());
    const first = await setup(state.dir);
    await first.router.maintenance('upgrading');
    await first.router.close(100);
    const second = await setup(state.dir);
    expect((await fetch(second.base)).status).toBe(503);
    await second.router.resume();
    expect(existsSync(join(state.dir, GATE_FILE))).toBe(false);
    expect((await fetch(second.base)).status).toBe(200);
  });
});
