/**
 * The tunnel a release (or the Service) is reached through: each connection goes to the pod picked at that moment,
 * so the URL outlives pod restarts and a canary's resizes. Real TCP: two HTTP servers stand for two pods.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PodTarget, openTunnel, podIpForward } from '../../../src/platforms/kubernetes/tunnel.js';

const servers: Server[] = [];
const pods: PodTarget[] = [];

beforeAll(async () => {
  for (const name of ['pod-a', 'pod-b']) {
    const server = createServer((_req, res) => res.end(name));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    pods.push({ namespace: 'default', name, ip: '127.0.0.1', port: (server.address() as AddressInfo).port });
  }
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

const get = async (url: string) => (await fetch(url, { headers: { connection: 'close' } })).text();

describe('kubernetes tunnel', () => {
  it('sends each connection to the pod picked when it opens, and closes one with no pod to reach', async () => {
    let current: PodTarget | null = pods[0]!;
    const tunnel = await openTunnel(async () => current, podIpForward);
    try {
      expect(await get(tunnel.url)).toBe('pod-a');
      current = pods[1]!;
      expect(await get(tunnel.url)).toBe('pod-b');
      current = null;
      await expect(get(tunnel.url)).rejects.toThrow();
    } finally {
      await tunnel.close();
    }
  });
});
