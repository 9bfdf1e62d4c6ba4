import { spawn, type ChildProcess } from 'node:child_process';
import { runCli } from '../cli/helpers.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRouter, type RouterClient } from '../../src/router/client.js';
import { freePort } from '../helpers/free-port.js';
import { ROOT, ensureBuilt } from '../setup/build.js';
import { startUpstream, until } from './helpers.js';

/** `deploy pause`, `deploy maintenance` and `deploy resume` through the real CLI against the built router daemon. */
describe('deploy pause / maintenance / resume', () => {
  let dir: string;
  let stateDir: string;
  let url: string;
  let router: ChildProcess;
  let client: RouterClient;
  let blue: Awaited<ReturnType<typeof startUpstream>>;

  beforeAll(async () => {
    await ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'shipgate-traffic-'));
    stateDir = join(dir, '.deploy', 'staging');
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    writeFileSync(join(dir, 'deploy.config.yaml'), `app: t\nstart: node app.mjs\nenvironments:\n  staging: { port: ${port} }\n  other: { port: 1, platform: railway, railway: { project: p, service: s } }\n`);
    router = spawn(process.execPath, [join(ROOT, 'dist/src/router/daemon.js'), '--state-dir', stateDir, '--port', String(port), '--host', '127.0.0.1'], { stdio: 'ignore' });
    blue = await startUpstream('blue');
    for (let i = 0; ; i++) {
      const c = await connectRouter(stateDir).catch(() => null);
      if (c) {
        client = c;
        break;
      }
      if (i > 500) throw new Error('router did not start');
      await new Promise((r) => setTimeout(r, 20));
    }
    await client.setActive({ id: 'blue', url: blue.url });
  }, 180_000);

  afterAll(async () => {
    await client?.shutdown(100);
    client?.close();
    await blue?.close();
    router?.kill('SIGTERM');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const cli = async (...args: string[]) => {
    const result = await runCli(args, { cwd: dir });
    return { exitCode: result.code ?? -1, stdout: result.stdout, stderr: result.stderr };
  };

  it('pause holds requests until resume; maintenance answers the page until resume', async () => {
    const paused = await cli('pause', 'staging', '--max-wait', '5m');
    expect(paused.exitCode, paused.stderr).toBe(0);
    expect(paused.stdout).toContain('staging: paused');
    const held = fetch(`${url}/held`);
    await until(async () => (await client.status()).gate.state === 'paused' && 'held' in (await client.status()).gate && ((await client.status()).gate as { held: number }).held === 1, 10_000, 'a held request');
    expect(blue.seen).toHaveLength(0);
    const resumed = await cli('resume', 'staging', '--json');
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout).environments).toMatchObject([{ environment: 'staging', ended: 'paused' }]);
    expect(await (await held).text()).toBe('blue');

    const maintenance = await cli('maintenance', 'staging', '--message', 'Back at 10:00');
    expect(maintenance.exitCode, maintenance.stderr).toBe(0);
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(503);
    expect(await page.text()).toContain('Back at 10:00');
    expect((await cli('resume', 'staging')).stdout).toContain('maintenance ended; requests are routed again');
    expect((await fetch(`${url}/`)).status).toBe(200);
    expect((await cli('resume', 'staging', '--json')).stdout).toContain('"ended":null');
  });

  it('refuses a platform without the router and a bad --max-wait with exit 2, changing nothing', async () => {
    const railway = await cli('pause', 'other');
    expect(railway.exitCode).toBe(2);
    expect(railway.stderr).toContain('platform railway has no shipgate router');
    const bad = await cli('pause', 'staging', '--max-wait', 'soon');
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('--max-wait');
    expect((await client.status()).gate).toEqual({ state: 'serving' });
  });
});
