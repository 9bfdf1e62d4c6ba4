import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '../../../src/router/runtime.js';
import { connectRouter, type RouterClient } from '../../../src/router/client.js';
import { supervisorExtension } from '../../../src/platforms/local/runtime-extension.js';
import type { AppInfo } from '../../../src/platforms/local/supervisor.js';
import { StateStore } from '../../../src/state/store.js';

const fixture = join(import.meta.dirname, 'fixtures', 'tiny-app.mjs');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function runtimeWithApps(): Promise<{ project: string; stateDir: string; runtime: Runtime; client: RouterClient }> {
  const project = mkdtempSync(join(tmpdir(), 'shipgate-apps-'));
  cleanups.push(() => rmSync(project, { recursive: true, force: true }));
  const stateDir = join(project, '.deploy', 'staging');
  const runtime = await startRuntime({ stateDir, port: 0, host: '127.0.0.1', extensions: [supervisorExtension({ initialBackoffMs: 20, stopTimeoutMs: 2_000 })] });
  cleanups.push(() => runtime.shutdown(0));
  const client = await connectRouter(stateDir);
  cleanups.push(() => client.close());
  return { project, stateDir, runtime, client };
}

async function waitForAnswer(url: string): Promise<Response> {
  const until = Date.now() + 15_000;
  for (;;) {
    try {
      return await fetch(url);
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

describe('apps.* on the environment runtime control socket', () => {
  it('starts an app with its env sent over the 0600 socket, lists it without the env, and stops it', async () => {
    const { project, stateDir, client } = await runtimeWithApps();
    expect(statSync(join(stateDir, 'router.sock')).mode & 0o777).toBe(0o600);
    const secret = 'sk_live_0123456789abcdef';
    const app = await client.call<AppInfo>('apps.start', {
      id: '20261127-061500-abc1234',
      cwd: project,
      command: `"${process.execPath}" "${fixture}"`,
      env: { PATH: process.env.PATH ?? '', RELEASE_ID: '20261127-061500-abc1234', APP_SECRET: secret },
      logFile: join(stateDir, 'releases', 'r1.log'),
    });
    expect(await (await waitForAnswer(app.url)).json()).toMatchObject({ secret: 'set' });
    const listed = await client.call<AppInfo[]>('apps.list');
    expect(listed).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(secret);
    expect(readFileSync(`/proc/${app.pid}/cmdline`, 'utf8')).not.toContain(secret);
    const logs = await client.call<{ lines: string[] }>('apps.logs', { id: app.id });
    expect(logs.lines.at(-1)).toBe(`listening on ${app.port}`);
    expect(await client.call('apps.stop', { id: app.id, timeoutMs: 2_000 })).toMatchObject({ forced: false });
    expect((await client.call<AppInfo[]>('apps.list'))[0]?.state).toBe('stopped');
  });

  it('rejects bad input naming the field, and unknown apps, without starting anything', async () => {
    const { client } = await runtimeWithApps();
    await expect(client.call('apps.start', { id: 'x', cwd: 'relative', command: 'node x', env: {}, logFile: '/tmp/x.log' })).rejects.toThrow(
      'params.cwd: expected an absolute path',
    );
    await expect(client.call('apps.stop', { id: 'nope' })).rejects.toMatchObject({ code: 'rejected', message: 'no app named nope' });
    expect(await client.call('apps.list')).toEqual([]);
  });

  it('writes a crash of the active app and its restart to the environment history', async () => {
    const { project, stateDir, client } = await runtimeWithApps();
    const app = await client.call<AppInfo>('apps.start', {
      id: 'r1',
      cwd: project,
      command: `"${process.execPath}" "${fixture}"`,
      env: { PATH: process.env.PATH ?? '' },
      logFile: join(stateDir, 'r1.log'),
    });
    await waitForAnswer(app.url);
    await client.call('apps.update', { id: 'r1', restartOnCrash: true });
    await fetch(`${app.url}/crash`).catch(() => undefined);
    const store = new StateStore(project, 'staging');
    await expect.poll(async () => (await store.readHistory()).map((r) => [r.type, r.reason]), { timeout: 10_000 }).toEqual([['restart', 'release r1 crashed']]);
    expect((await waitForAnswer(app.url)).status).toBe(200);
    await expect.poll(async () => (await client.call<AppInfo[]>('apps.list'))[0]?.restarts).toBe(1);
  });

  it('stops the apps when the runtime shuts down', async () => {
    const { project, stateDir, client, runtime } = await runtimeWithApps();
    const app = await client.call<AppInfo>('apps.start', {
      id: 'r1',
      cwd: project,
      command: `"${process.execPath}" "${fixture}"`,
      env: { PATH: process.env.PATH ?? '' },
      logFile: join(stateDir, 'r1.log'),
    });
    await waitForAnswer(app.url);
    await runtime.shutdown(0);
    await expect(fetch(app.url)).rejects.toThrow();
  });
});
