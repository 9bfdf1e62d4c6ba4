import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRouter } from '../../../src/router/client.js';
import { ensureRouter } from '../../../src/router/ensure.js';
import type { AppInfo } from '../../../src/platforms/local/supervisor.js';
import { readRuntimeStatus } from '../../../src/platforms/local/runtime-status.js';
import { processIdentity } from '../../../src/exec/process-liveness.js';
import { ensureBuilt, ROOT } from '../../setup/build.js';
import { runCli } from '../../cli/helpers.js';
import { stopAndRemove, tinyProject } from './helpers/tiny-project.js';

const RUNTIME = join(ROOT, 'dist', 'src', 'platforms', 'local', 'runtime-daemon.js');

async function refused(url: string): Promise<boolean> {
  return fetch(url).then(
    (response) => response.arrayBuffer().then(() => false),
    () => true,
  );
}

/**
 * Every process of the environment killed at once (a reboot as the host's user sees it, the SSH boot test's `pkill
 * -KILL -u`): the runtime started again must not list the dead release as running. A killed app whose parent died too
 * stays a zombie until init reaps it (on this box's PID 1, 1 to 2 s; never under a PID 1 that does not reap), and its
 * pid still answers signal 0 meanwhile: the runtime adopted it, `deploy resume` skipped starting it and the port
 * answered 502. Where init reaps at once this passes without the zombie; adopt.test.ts holds one deterministically.
 */
describe('a runtime restored after every process was killed', { timeout: 240_000 }, () => {
  let dir: string;
  let stateDir: string;
  let release: string;
  let port: number;
  const cli = (...args: string[]) => runCli(args, { cwd: dir });

  beforeAll(async () => {
    await ensureBuilt();
    dir = await tinyProject('shipgate-restore-');
    stateDir = join(dir, '.deploy', 'staging');
    port = Number(/port: (\d+)/.exec(readFileSync(join(dir, 'deploy.config.yaml'), 'utf8'))![1]);
    const deployed = await cli('staging', '--json', '--yes');
    expect(deployed.code, deployed.stderr).toBe(0);
    release = (JSON.parse(deployed.stdout) as { release: { id: string } }).release.id;
  }, 240_000);

  afterAll(() => stopAndRemove(dir));

  it('does not list the killed release as running; deploy resume then starts it', async () => {
    const client = await connectRouter(stateDir);
    const info = await client.call<{ pid: number; keeperPid: number }>('runtime.info');
    const app = (await client.call<AppInfo[]>('apps.list')).find((a) => a.id === release)!;
    client.close();
    expect(app).toMatchObject({ state: 'running' });
    // The keeper first, or it would start the runtime again.
    for (const pid of [info.keeperPid, info.pid, app.pid!]) process.kill(pid, 'SIGKILL');
    // As the boot test does: the public port refuses, whether or not init has reaped the killed processes yet.
    await expect.poll(() => refused(`http://127.0.0.1:${port}/`), { timeout: 30_000, interval: 50 }).toBe(true);

    // The runtime `deploy resume` starts, restoring its routing table and the apps it finds alive; asked at once, as
    // resume does (the old watch noticed the zombie only once init reaped it).
    (await ensureRouter({ stateDir, port, host: '127.0.0.1', daemonPath: RUNTIME, startTimeoutMs: 60_000 })).close();
    const view = await readRuntimeStatus(stateDir, { active: release, previous: null });
    expect(view?.process?.pid).not.toBe(info.pid);
    expect(view?.active).toMatchObject({ release, up: false });

    const resumed = await cli('resume', 'staging');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(`release ${release} started`);
    const served = await fetch(`http://127.0.0.1:${port}/`);
    expect(served.status).toBe(200);
    expect(served.headers.get('x-release')).toBe(release);
  });

  it('a release the runtime runs but that does not answer (a hung process) is replaced by deploy resume', async () => {
    const client = await connectRouter(stateDir);
    const hung = (await client.call<AppInfo[]>('apps.list')).find((a) => a.id === release)!;
    client.close();
    expect(hung).toMatchObject({ state: 'running' });
    process.kill(hung.pid!, 'SIGSTOP');

    const resumed = await cli('resume', 'staging');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(new RegExp(`release ${release} did not answer \\(not healthy within 10000 ms [^)]*\\)\\); stopped; release ${release} started`));
    const served = await fetch(`http://127.0.0.1:${port}/`);
    expect(served.status).toBe(200);
    expect(served.headers.get('x-release')).toBe(release);
    expect(processIdentity(hung.pid!)).toBeNull();
  });
});
