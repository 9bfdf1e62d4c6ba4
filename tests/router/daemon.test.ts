import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { stat, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { connectRouter } from '../../src/router/client.js';
import { ensureRouter } from '../../src/router/ensure.js';
import { ownerPid } from '../../src/router/owner-lock.js';
import { buildDaemon } from './build-daemon.js';
import { get, refusedPort, startUpstream, tempStateDir, until } from './helpers.js';

const run = promisify(execFile);
let bundle: Awaited<ReturnType<typeof buildDaemon>>;
const cleanups: (() => Promise<unknown> | void)[] = [];

beforeAll(async () => {
  bundle = await buildDaemon();
});
afterAll(async () => {
  if (bundle) await rm(dirname(bundle.daemon), { recursive: true, force: true });
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('detached router daemon', () => {
  it('outlives the process that started it, keeps routing, and stops gracefully on shutdown', async () => {
    const state = await tempStateDir();
    cleanups.push(state.remove);
    const blue = await startUpstream('blue');
    cleanups.push(() => blue.close());
    const port = await refusedPort();

    const { stdout } = await run(process.execPath, [bundle.starter, state.dir, bundle.daemon, String(port), bundle.keeper], { timeout: 30_000 });
    const started = JSON.parse(stdout) as { pid: number; port: number };
    expect(started.port).toBe(port);
    expect(started.pid).not.toBe(process.pid);
    cleanups.push(() => {
      if (alive(started.pid)) process.kill(started.pid, 'SIGKILL');
    });
    // The starter has exited; the daemon is still there.
    expect(alive(started.pid)).toBe(true);

    const client = await connectRouter(state.dir);
    cleanups.push(() => client.close());
    await client.setActive({ id: 'blue', url: blue.url });
    expect((await get(`http://127.0.0.1:${port}/`)).body).toBe('blue');

    // A second start finds the running daemon instead of starting another.
    const again = await run(process.execPath, [bundle.starter, state.dir, bundle.daemon, String(port), bundle.keeper], { timeout: 30_000 });
    expect(JSON.parse(again.stdout).pid).toBe(started.pid);

    // A request in flight during shutdown still completes.
    const slow = get(`http://127.0.0.1:${port}/slow?ms=300`);
    await until(async () => (await client.metrics('blue', 60_000)).inFlight === 1, 5000, 'slow request in flight');
    await client.shutdown(5000);
    expect((await slow).body).toBe('blue');
    await until(() => !alive(started.pid), 10_000, 'daemon exit');
    const log = await readFile(join(state.dir, 'router.log'), 'utf8');
    expect(log).toContain('stopped');
    expect((await stat(join(state.dir, 'router-table.json'))).isFile()).toBe(true);
  });

  it('shutdown() returns only after the runtime\'s last write (deploy stop relies on it)', async () => {
    const state = await tempStateDir();
    cleanups.push(state.remove);
    const client = await ensureRouter({ stateDir: state.dir, port: 0, host: '127.0.0.1', daemonPath: bundle.slowShutdownDaemon, keeperPath: bundle.keeper, startTimeoutMs: 20_000 });
    const { pid } = await client.status();
    cleanups.push(() => {
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    });
    let returned = false;
    const stopping = client.shutdown(100).then(() => (returned = true));
    await until(() => existsSync(join(state.dir, 'hook-started')), 10_000, 'shutdown hook started');
    // The runtime answered router.shutdown long ago; it is still working, so shutdown() has not returned.
    await client.metrics('none', 1).catch(() => undefined);
    expect(returned).toBe(false);
    await writeFile(join(state.dir, 'go'), '');
    await stopping;
    expect(existsSync(join(state.dir, 'last-write'))).toBe(true);
    expect((await readFile(join(state.dir, 'router.log'), 'utf8')).trimEnd().split('\n').at(-1)).toMatch(/ stopped$/);
    expect(existsSync(join(state.dir, 'router.sock'))).toBe(false);
    // Then the runtime exits on its own (code 0, so its keeper ends too). The cleanup's SIGKILL, if it came while the
    // runtime was still exiting, would read as a crash to the keeper, which restarted it: a leak seen in a CI rehearsal.
    await until(() => !alive(pid), 10_000, 'runtime exit');
  });

  it('two starts at once for one state dir: exactly one keeper owns the port, both callers get its runtime', async () => {
    const state = await tempStateDir();
    cleanups.push(state.remove);
    const blue = await startUpstream('blue');
    cleanups.push(() => blue.close());
    const port = await refusedPort();
    const start = () => ensureRouter({ stateDir: state.dir, port, host: '127.0.0.1', daemonPath: bundle.daemon, keeperPath: bundle.keeper, startTimeoutMs: 20_000 });
    const [a, b] = await Promise.all([start(), start()]);
    const [sa, sb] = await Promise.all([a.status(), b.status()]);
    cleanups.push(() => {
      if (alive(sa.pid)) process.kill(sa.pid, 'SIGKILL');
    });
    expect(sb.pid).toBe(sa.pid);
    expect(sa.port).toBe(port);
    const owner = await ownerPid(state.dir);
    expect((await a.call<{ keeperPid: number }>('runtime.info')).keeperPid).toBe(owner);
    // The other keeper found the state dir owned and left without touching the port.
    const refused = /keeper: another runtime owns .* \(keeper pid (\d+)\)/;
    await until(async () => refused.test(await readFile(join(state.dir, 'router.log'), 'utf8')), 10_000, 'the second keeper gives up');
    expect(Number(refused.exec(await readFile(join(state.dir, 'router.log'), 'utf8'))![1])).toBe(owner);
    await a.setActive({ id: 'blue', url: blue.url });
    expect((await get(`http://127.0.0.1:${port}/`)).body).toBe('blue');
    b.close();
    await a.shutdown(100);
    a.close();
    await until(() => !alive(sa.pid) && !alive(owner!), 10_000, 'runtime and keeper exit');
  });

  it('reports a start failure from the daemon log', async () => {
    const state = await tempStateDir();
    cleanups.push(state.remove);
    const blocker = await startUpstream('blocker');
    cleanups.push(() => blocker.close());
    await expect(
      ensureRouter({ stateDir: state.dir, port: blocker.port, host: '127.0.0.1', daemonPath: bundle.daemon, keeperPath: bundle.keeper, startTimeoutMs: 20_000 }),
    ).rejects.toThrow(`port ${blocker.port} on 127.0.0.1 is already in use`);
  });

  it('stops gracefully on SIGTERM and restores its table on the next start', async () => {
    const state = await tempStateDir();
    cleanups.push(state.remove);
    const blue = await startUpstream('blue');
    cleanups.push(() => blue.close());
    const port = await refusedPort();
    const client = await ensureRouter({ stateDir: state.dir, port, host: '127.0.0.1', daemonPath: bundle.daemon, keeperPath: bundle.keeper, startTimeoutMs: 20_000 });
    const { pid } = await client.status();
    cleanups.push(() => {
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    });
    await client.setActive({ id: 'blue', url: blue.url });
    client.close();
    process.kill(pid, 'SIGTERM');
    await until(() => !alive(pid), 10_000, 'daemon exit after SIGTERM');

    const restarted = await ensureRouter({ stateDir: state.dir, port, host: '127.0.0.1', daemonPath: bundle.daemon, keeperPath: bundle.keeper, startTimeoutMs: 20_000 });
    const status = await restarted.status();
    cleanups.push(() => {
      if (alive(status.pid)) process.kill(status.pid, 'SIGKILL');
    });
    expect(status.table.active).toEqual({ id: 'blue', url: blue.url });
    expect((await get(`http://127.0.0.1:${port}/`)).body).toBe('blue');
    await restarted.shutdown(100);
    restarted.close();
    await until(() => !alive(status.pid), 10_000, 'daemon exit');
  });
});
