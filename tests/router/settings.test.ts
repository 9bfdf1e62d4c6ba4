import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveEnvironment } from '../../src/config/resolve.js';
import { createRouter } from '../../src/router/router.js';
import { SETTINGS_FILE } from '../../src/router/settings.js';
import { failure, project } from '../config/helpers.js';
import { startUpstream, tempStateDir } from './helpers.js';
import { rawExchange } from './raw.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('router settings from the config', () => {
  it('resolves `router:` to limits in milliseconds and bytes, and refuses a bad proxy address naming the field', async () => {
    const dir = project('app: a\nstart: x\nrouter:\n  trustedProxies: ["10.0.0.0/8", "::1"]\n  limits: { headerLines: 50, bodySize: 1048576, headTimeout: 5s, tunnelTimeout: 2m }\nenvironments:\n  staging: { port: 4001 }\n');
    const config = await resolveEnvironment(dir, 'staging', { env: {} });
    expect(config.router).toEqual({
      trustedProxies: ['10.0.0.0/8', '::1'],
      trustUserHeader: false,
      limits: { maxHeaderLines: 50, maxBodyBytes: 1048576, headTimeoutMs: 5000, tunnelIdleTimeoutMs: 120_000 },
    });
    const bad = project('app: a\nstart: x\nrouter: { trustedProxies: ["10.0.0.0/33"] }\nenvironments:\n  staging: { port: 4001 }\n');
    const f = await failure(resolveEnvironment(bad, 'staging', { env: {} }));
    expect(f.exitCode).toBe(2);
    expect(f.lines.join('\n')).toMatch(/router\.trustedProxies\[0\]: expected an IP address or CIDR range/);
  });

  it('applies `router.configure` at once, saves it 0600, and a restarted router starts with it', async () => {
    const state = await tempStateDir();
    cleanups.push(() => state.remove());
    const blue = await startUpstream('blue');
    cleanups.push(() => blue.close());
    const request = `GET / HTTP/1.1\r\nHost: x\r\n${'a: 1\r\n'.repeat(5)}Connection: close\r\n\r\n`;
    const first = await createRouter({ port: 0, host: '127.0.0.1', stateDir: state.dir });
    await first.setActive({ id: 'blue', url: blue.url });
    expect(await rawExchange(first.port, [request])).toMatch(/^HTTP\/1\.1 200 /);
    await first.configure({ limits: { maxHeaderLines: 3 }, trustedProxies: [], trustUserHeader: false });
    expect(await rawExchange(first.port, [request])).toMatch(/^HTTP\/1\.1 400 [\s\S]*too many header lines/);
    expect(statSync(join(state.dir, SETTINGS_FILE)).mode & 0o777).toBe(0o600);
    await first.close(100);

    const second = await createRouter({ port: 0, host: '127.0.0.1', stateDir: state.dir });
    cleanups.push(() => second.close(100));
    expect(await rawExchange(second.port, [request])).toMatch(/^HTTP\/1\.1 400 /);
  });
});
