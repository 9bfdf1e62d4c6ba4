import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startRuntime } from '../../../src/router/runtime.js';
import { connectRouter } from '../../../src/router/client.js';
import { supervisorExtension } from '../../../src/platforms/local/runtime-extension.js';
import { findFreePort } from '../../../src/platforms/local/free-port.js';
import type { AppInfo } from '../../../src/platforms/local/supervisor.js';

const fixture = join(import.meta.dirname, 'fixtures', 'tiny-app.mjs');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function answers(url: string): Promise<boolean> {
  try {
    await (await fetch(url)).arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

describe('a runtime that restarts adopts the apps the previous one left running', () => {
  it('records live apps in apps.json without their environment', async () => {
    const project = mkdtempSync(join(tmpdir(), 'shipgate-adopt-'));
    cleanups.push(() => rmSync(project, { recursive: true, force: true }));
    const stateDir = join(project, '.deploy', 'staging');
    const runtime = await startRuntime({ stateDir, port: 0, host: '127.0.0.1', extensions: [supervisorExtension({ stopTimeoutMs: 2_000 })] });
    cleanups.push(() => runtime.shutdown(0));
    const client = await connectRouter(stateDir);
    cleanups.push(() => client.close());
    const app = await client.call<AppInfo>('apps.start', {
      id: 'r1',
      cwd: project,
      command: `"${process.execPath}" "${fixture}"`,
      env: { PATH: process.env.PATH ?? '', APP_SECRET: 'sk_live_do_not_store_me' },
      logFile: join(stateDir, 'r1.log'),
    });
    await expect.poll(() => readFileSync(join(stateDir, 'apps.json'), 'utf8')).toContain(`"pid": ${app.pid}`);
    expect(readFileSync(join(stateDir, 'apps.json'), 'utf8')).not.toContain('sk_live');
  });

  it('lists an adopted app as running and can stop it', async () => {
    const project = mkdtempSync(join(tmpdir(), 'shipgate-adopt-'));
    cleanups.push(() => rmSync(project, { recursive: true, force: true }));
    const stateDir = join(project, '.deploy', 'staging');
    mkdirSync(stateDir, { recursive: true });
    // An app started by a runtime that has since died: its own process group, still serving.
    const port = await findFreePort();
    const orphan = spawn(process.execPath, [fixture], { detached: true, stdio: 'ignore', env: { ...process.env, PORT: String(port), RELEASE_ID: 'r0' } });
    orphan.unref();
    cleanups.push(() => {
      try {
        process.kill(-orphan.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    });
    const url = `http://127.0.0.1:${port}`;
    await expect.poll(() => answers(url), { timeout: 10_000 }).toBe(true);
    writeFileSync(
      join(stateDir, 'apps.json'),
      JSON.stringify([{ id: 'r0', pid: orphan.pid, port, url, cwd: project, logFile: join(stateDir, 'r0.log'), startedAt: new Date().toISOString() }]),
    );

    const runtime = await startRuntime({ stateDir, port: 0, host: '127.0.0.1', extensions: [supervisorExtension({ stopTimeoutMs: 2_000 })] });
    cleanups.push(() => runtime.shutdown(0));
    const client = await connectRouter(stateDir);
    cleanups.push(() => client.close());
    expect(await client.call<AppInfo[]>('apps.list')).toMatchObject([{ id: 'r0', pid: orphan.pid, state: 'running', adopted: true, url }]);
    expect(await answers(url)).toBe(true);
    expect(await client.call('apps.stop', { id: 'r0', timeoutMs: 2_000 })).toMatchObject({ id: 'r0', forced: false });
    expect(await answers(url)).toBe(false);
  });
});
