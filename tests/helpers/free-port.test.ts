import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort } from './free-port.js';

describe('test ports', () => {
  it('come from below the kernel ephemeral range, distinct even when asked for together, and bindable on every address', async () => {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    const ports = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    expect(new Set(ports).size).toBe(4);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(10_000);
      expect(port).toBeLessThan(low);
      const server = createServer();
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '0.0.0.0', resolve));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('skips a port someone holds: the ones it would try next', async () => {
    const last = await freePort();
    const holders = [last + 1, last + 2].map(() => createServer());
    // The helper walks its share port by port: the next two it would try are held, on one loopback address only.
    await Promise.all(holders.map((holder, i) => new Promise<void>((resolve, reject) => holder.once('error', reject).listen(last + 1 + i, '127.0.0.1', resolve))));
    try {
      const port = await freePort();
      expect([last + 1, last + 2]).not.toContain(port);
    } finally {
      await Promise.all(holders.map((holder) => new Promise<void>((resolve) => holder.close(() => resolve()))));
    }
  });
});
