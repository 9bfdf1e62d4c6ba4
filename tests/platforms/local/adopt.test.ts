import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startRuntime } from '../../../src/router/runtime.js';
import { connectRouter, type RouterClient } from '../../../src/router/client.js';
import { supervisorExtension } from '../../../src/platforms/local/runtime-extension.js';
import { freePort } from '../../helpers/free-port.js';
import type { AppInfo } from '../../../src/platforms/local/supervisor.js';
import { isZombie, processIdentity } from '../../../src/exec/process-liveness.js';

const fixture = join(import.meta.dirname, 'fixtures', 'tiny-app.mjs');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** The tiny app in a process group of its own, as a runtime starts it, serving on `port`. */
async function orphanApp(port: number, release: string): Promise<ChildProcess> {
  const orphan = spawn(process.execPath, [fixture], { detached: true, stdio: 'ignore', env: { ...process.env, PORT: String(port), RELEASE_ID: release } });
  orphan.unref();
  cleanups.push(() => killGroup(orphan.pid!));
  await expect.poll(() => answers(`http://127.0.0.1:${port}`), { timeout: 10_000 }).toBe(true);
  return orphan;
}

/**
 * The tiny app in a process group of its own whose parent never reaps it (sh, then `exec sleep`): killed, it stays a
 * zombie, as an app does after every process was killed until init reaps it.
 */
async function heldApp(port: number, release: string): Promise<number> {
  const holder = spawn('sh', ['-c', 'setsid "$0" "$1" >/dev/null 2>&1 & echo $!; exec sleep 300', process.execPath, fixture], {
    detached: true,
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, PORT: String(port), RELEASE_ID: release },
  });
  const pid = await new Promise<number>((resolve, reject) => {
    holder.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    holder.once('error', reject);
  });
  holder.stdout!.destroy();
  holder.unref();
  cleanups.push(() => {
    killGroup(pid);
    killGroup(holder.pid!);
  });
  await expect.poll(() => answers(`http://127.0.0.1:${port}`), { timeout: 10_000 }).toBe(true);
  return pid;
}

function adoptable(id: string, pid: number, port: number, dir: string, identity: string | null) {
  return { id, pid, port, url: `http://127.0.0.1:${port}`, cwd: dir, logFile: join(dir, `${id}.log`), startedAt: new Date().toISOString(), ...(identity ? { identity } : {}) };
}

/** A runtime with the supervisor on `stateDir` (it adopts what apps.json lists), and a client of it. */
async function runtimeIn(stateDir: string, log?: (line: string) => void): Promise<RouterClient> {
  const runtime = await startRuntime({ stateDir, port: 0, host: '127.0.0.1', extensions: [supervisorExtension({ stopTimeoutMs: 2_000, log })] });
  cleanups.push(() => runtime.shutdown(0));
  const client = await connectRouter(stateDir);
  cleanups.push(() => client.close());
  return client;
}

async function answers(url: string): Promise<boolean> {
  try {
    await (await fetch(url)).arrayBuffer();
    return true;
  } catch {
    return false;
  }
}


/** An empty project with its staging state folder, removed after the test. */
function newProject(): { project: string; stateDir: string } {
  const project = mkdtempSync(join(tmpdir(), 'shipgate-adopt-'));
  cleanups.push(() => rmSync(project, { recursive: true, force: true }));
  const stateDir = join(project, '.deploy', 'staging');
  mkdirSync(stateDir, { recursive: true });
  return { project, stateDir };
}
describe('a runtime that restarts adopts the apps the previous one left running', () => {
  it('records live apps in apps.json without their environment', async () => {
    const project = mkdtempSync(join(tmpdir(), 'shipgate-adopt-'));
    cleanups.push(() => rmSync(project, { recursive: true, force: true }));
    const stateDir = join(project, '.deploy', 'staging');
    const client = await runtimeIn(stateDir);
    const app = await client.call<AppInfo>('apps.start', {
      id: 'r1',
      cwd: project,
      command: `"${process.execPath}" "${fixture}"`,
      env: { PATH: process.env.PATH ?? '', APP_SECRET: 'sk_live_do_not_store_me' },
      logFile: join(stateDir, 'r1.log'),
    });
    await expect.poll(() => readFileSync(join(stateDir, 'apps.json'), 'utf8')).toContain(`"pid": ${app.pid}`);
    // Which process the pid named, so a later runtime does not take a process that got the pid since for the app.
    expect(JSON.parse(readFileSync(join(stateDir, 'apps.json'), 'utf8'))).toMatchObject([{ id: 'r1', pid: app.pid, identity: processIdentity(app.pid!) }]);
    expect(readFileSync(join(stateDir, 'apps.json'), 'utf8')).not.toContain('sk_live');
  });

  it('lists an adopted app as running and can stop it', async () => {
    const { project, stateDir } = newProject();
    // An app started by a runtime that has since died: its own process group, still serving.
    const port = await freePort();
    const orphan = await orphanApp(port, 'r0');
    const url = `http://127.0.0.1:${port}`;
    writeFileSync(join(stateDir, 'apps.json'), JSON.stringify([adoptable('r0', orphan.pid!, port, project, processIdentity(orphan.pid!))]));

    const client = await runtimeIn(stateDir);
    expect(await client.call<AppInfo[]>('apps.list')).toMatchObject([{ id: 'r0', pid: orphan.pid, state: 'running', adopted: true, url }]);
    expect(await answers(url)).toBe(true);
    expect(await client.call('apps.stop', { id: 'r0', timeoutMs: 2_000 })).toMatchObject({ id: 'r0', forced: false });
    expect(await answers(url)).toBe(false);
  });

  it('adopts only apps whose process still runs: not a killed one init has yet to reap, not a process that got its pid', async () => {
    const { project, stateDir } = newProject();
    const [zombiePort, reusedPort, legacyPort] = await Promise.all([freePort(), freePort(), freePort()]);
    // Killed with every other process: dead, but still a zombie, so its pid answers signal 0.
    const zombie = await heldApp(zombiePort, 'r-zombie');
    const zombieIdentity = processIdentity(zombie)!;
    process.kill(zombie, 'SIGKILL');
    await expect.poll(() => isZombie(zombie), { timeout: 10_000 }).toBe(true);
    // The pid of a dead app, given since to another process (here: the app's pid swapped for a live process's).
    const dead = await orphanApp(reusedPort, 'r-reused');
    const deadIdentity = processIdentity(dead.pid!)!;
    killGroup(dead.pid!);
    await expect.poll(() => answers(`http://127.0.0.1:${reusedPort}`), { timeout: 10_000 }).toBe(false);
    const other = await orphanApp(reusedPort, 'someone-else');
    // Written by a runtime from before identities were recorded: a live pid is taken at its word.
    const legacy = await orphanApp(legacyPort, 'r-legacy');
    writeFileSync(
      join(stateDir, 'apps.json'),
      JSON.stringify([
        adoptable('r-zombie', zombie, zombiePort, project, zombieIdentity),
        adoptable('r-reused', other.pid!, reusedPort, project, deadIdentity),
        adoptable('r-legacy', legacy.pid!, legacyPort, project, null),
      ]),
    );

    const log: string[] = [];
    const client = await runtimeIn(stateDir, (line) => log.push(line));
    expect((await client.call<AppInfo[]>('apps.list')).map((app) => [app.id, app.state])).toEqual([['r-legacy', 'running']]);
    expect(log.filter((line) => line.includes('not adopted'))).toEqual([
      `app r-zombie (pid ${zombie}) left by a previous runtime no longer runs (gone, a zombie, or its pid reused): not adopted`,
      `app r-reused (pid ${other.pid}) left by a previous runtime no longer runs (gone, a zombie, or its pid reused): not adopted`,
    ]);
    // The process that got the pid is none of the runtime's business: untouched.
    expect(await answers(`http://127.0.0.1:${reusedPort}`)).toBe(true);
    expect(processIdentity(other.pid!)).not.toBeNull();
  });

  it('an adopted app that is killed counts as exited at once, though it stays a zombie (no init reaps it)', async () => {
    const { project, stateDir } = newProject();
    const port = await freePort();
    const pid = await heldApp(port, 'r0');
    writeFileSync(join(stateDir, 'apps.json'), JSON.stringify([adoptable('r0', pid, port, project, processIdentity(pid))]));
    const client = await runtimeIn(stateDir);
    expect(await client.call<AppInfo[]>('apps.list')).toMatchObject([{ id: 'r0', pid, state: 'running', adopted: true }]);

    process.kill(pid, 'SIGKILL');
    await expect.poll(async () => (await client.call<AppInfo[]>('apps.list'))[0], { timeout: 10_000 }).toMatchObject({ id: 'r0', pid: null, state: 'exited' });
    expect(isZombie(pid)).toBe(true);
  });
});
