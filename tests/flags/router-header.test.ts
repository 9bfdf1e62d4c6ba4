import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter, type Router } from '../../src/router/router.js';

/** The router in-process in front of a real upstream that echoes the flags header it received. */
describe('router flags header', () => {
  let upstream: Server;
  let router: Router;
  let url: string;

  beforeAll(async () => {
    upstream = createServer((req, res) => res.end(String(req.headers['x-shipgate-flags'] ?? '<none>')));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    router = await createRouter({ port: 0, host: '127.0.0.1', initialTable: { version: 1, active: { id: 'a', url: origin }, canary: null, updatedAt: '' } });
    url = `http://127.0.0.1:${router.port}/`;
  });
  afterAll(async () => {
    await router?.close(0);
    upstream?.close();
  });

  const echo = async (headers: Record<string, string> = {}) => (await fetch(url, { headers })).text();

  it('never forwards a client-chosen flags header, with or without a flag table', async () => {
    expect(await echo({ 'x-shipgate-flags': 'admin-mode' })).toBe('<none>');
    router.flags.set({ version: 1, userHeader: null, flags: { beta: { enabled: true, percent: 100, updatedAt: '' } } });
    expect(await echo({ 'x-shipgate-flags': 'admin-mode' })).toBe('beta');
    router.flags.set({ version: 2, userHeader: null, flags: { beta: { enabled: false, percent: 100, updatedAt: '' } } });
    // The next request after the swap: off.
    expect(await echo()).toBe('');
  });
});
