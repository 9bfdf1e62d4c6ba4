import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryRecord } from '../../src/contracts/history.js';
import type { EnvironmentState } from '../../src/state/schema.js';
import { connectRouter } from '../../src/router/client.js';
import { freePort } from '../helpers/free-port.js';
import type { AppInfo } from '../../src/platforms/local/supervisor.js';
import type { StatusView } from '../../src/cli/commands/status.js';
import { failuresOutside, startLoad, type LoadHandle, type LoadResult } from '../helpers/load.js';
import { ensureBuilt } from '../setup/build.js';
import { runCli } from '../cli/helpers.js';

/**
 * The environment comes back by itself (issue 19): real CLI, real keeper / runtime / app processes, a load generator
 * across each fault. Scenarios run in order on one project; each leaves a release serving.
 */
const TINY_APP = new URL('../platforms/local/fixtures/tiny-app.mjs', import.meta.url).pathname;
const CONCURRENCY = 4;

interface RuntimeInfo {
  pid: number;
  keeperPid: number | null;
  host: string;
  port: number;
  restarts: number;
}

describe('the environment survives crashes and reboots', { timeout: 300_000 }, () => {
  let dir: string;
  let stateDir: string;
  let url: string;
  let port: number;
  let crashFile: string;
  let first: string;
  let second: string;

  const cli = (...args: string[]) => runCli(args, { cwd: dir });
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: dir, encoding: 'utf8' });
  const history = (): HistoryRecord[] =>
    readFileSync(join(stateDir, 'history.jsonl'), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as HistoryRecord);
  const state = (): EnvironmentState => JSON.parse(readFileSync(join(stateDir, 'state.json'), 'utf8')) as EnvironmentState;

  async function call<T>(method: string): Promise<T | null> {
    const client = await connectRouter(stateDir, { callTimeoutMs: 2_000 }).catch(() => null);
    if (!client) return null;
    try {
      return await client.call<T>(method);
    } catch {
      return null;
    } finally {
      client.close();
    }
  }

  async function servedBy(): Promise<string | null> {
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      return response.ok ? response.headers.get('x-release') : null;
    } catch {
      return null;
    }
  }

  async function deploy(): Promise<string> {
    const run = await cli('staging', '--json', '--yes');
    expect(run.code, run.stderr).toBe(0);
    return (JSON.parse(run.stdout) as { release: { id: string } }).release.id;
  }

  /** Load across `fault`; after the fault resolved, 20 more requests must come back. */
  async function underLoad<T>(fault: (load: LoadHandle) => Promise<T>): Promise<{ value: T; load: LoadResult }> {
    const load = startLoad(url + '/', { concurrency: CONCURRENCY, maxDurationMs: 120_000, timeoutMs: 10_000 });
    await load.waitFor(20);
    try {
      const value = await fault(load);
      await load.waitFor(load.snapshot().total + 20);
      return { value, load: await load.stop() };
    } catch (error) {
      await load.stop();
      throw error;
    }
  }

  function alive(pid: number): boolean {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  beforeAll(async () => {
    await ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'shipgate-survival-'));
    stateDir = join(dir, '.deploy', 'staging');
    crashFile = join(dir, 'crash-on-start');
    port = await freePort();
    url = `http://127.0.0.1:${port}`;
    copyFileSync(TINY_APP, join(dir, 'server.mjs'));
    writeFileSync(join(dir, '.env.staging'), `CRASH_IF_FILE=${crashFile}\n`);
    writeFileSync(
      join(dir, 'deploy.config.yaml'),
      [
        'app: tiny',
        'platform: local',
        'start: node server.mjs',
        'health: { path: /, interval: 50ms, timeout: 10s }',
        'tests: false',
        'migrations: none',
        'env: { files: [".env.${environment}"] }',
        'verify: { smoke: ["GET /"], window: 300ms, minRequests: 0 }',
        'keepWarm: 10m',
        'drainTimeout: 500ms',
        // No guard: the crash-loop scenario is about the runtime's own watch, not the post-deploy guard's.
        'guard: 0s',
        `environments: { staging: { port: ${port} } }`,
        '',
      ].join('\n'),
    );
    writeFileSync(join(dir, '.gitignore'), '.deploy/\ncrash-on-start\n');
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'tiny app');
    first = await deploy();
  }, 240_000);

  afterAll(async () => {
    if (!dir) return;
    const stop = await cli('stop', 'staging', '--yes');
    expect(stop.code, stop.stderr).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });

  it('kill -9 of the runtime under load: no refused connection, the keeper restarts it, the app is adopted and supervised', async () => {
    const before = (await call<RuntimeInfo>('runtime.info'))!;
    expect(before.keeperPid).toBeGreaterThan(0);
    const { value: after, load } = await underLoad(async () => {
      process.kill(before.pid, 'SIGKILL');
      await expect.poll(async () => (await call<RuntimeInfo>('runtime.info'))?.pid ?? before.pid, { timeout: 30_000 }).not.toBe(before.pid);
      return (await call<RuntimeInfo>('runtime.info'))!;
    });
    expect(after).toMatchObject({ keeperPid: before.keeperPid, host: '127.0.0.1', port, restarts: 1 });
    // The socket never closed: no connection was refused. At most the requests in flight on the killed runtime failed.
    expect(load.failures.filter((f) => f.error === 'ECONNREFUSED')).toEqual([]);
    expect(load.failed).toBeLessThanOrEqual(CONCURRENCY);
    expect(load.byRelease[first]).toBe(load.ok);
    expect(await servedBy()).toBe(first);
    const app = (await call<AppInfo[]>('apps.list'))!.find((a) => a.id === first);
    expect(app).toMatchObject({ state: 'running', adopted: true, restartOnCrash: true });
    expect(history().some((r) => r.type === 'restart' && r.status === 'recovered' && /runtime \(pid \d+\) died \(SIGKILL\)/.test(r.detail ?? ''))).toBe(true);

    const status = await cli('status', 'staging', '--json');
    const view = JSON.parse(status.stdout) as StatusView;
    expect(view.runtime?.process).toMatchObject({ pid: after.pid, keeperPid: before.keeperPid, host: '127.0.0.1', port, restarts: 1 });
    const human = await cli('status', 'staging');
    expect(human.stdout).toContain(`runtime:  pid ${after.pid} listening on 127.0.0.1:${port} (keeper pid ${before.keeperPid}, restarted 1 time after a crash)`);
  });

  it('kill -9 of an adopted app: restarted from the spec the keeper kept, recorded in history', async () => {
    const adopted = (await call<AppInfo[]>('apps.list'))!.find((a) => a.id === first)!;
    expect(adopted.adopted).toBe(true);
    let killedAt = 0;
    const { value: servedAt, load } = await underLoad(async () => {
      killedAt = Date.now();
      process.kill(adopted.pid!, 'SIGKILL');
      await expect.poll(async () => (await call<AppInfo[]>('apps.list'))?.find((a) => a.id === first)?.restarts ?? 0, { timeout: 30_000 }).toBeGreaterThan(adopted.restarts);
      await expect.poll(() => servedBy(), { timeout: 30_000 }).toBe(first);
      return Date.now();
    });
    const restarted = (await call<AppInfo[]>('apps.list'))!.find((a) => a.id === first)!;
    expect(restarted.state).toBe('running');
    expect(restarted.pid).not.toBe(adopted.pid);
    // Failures only while the app was down (the router answers 502 then), none once it serves again.
    expect(failuresOutside(load, killedAt, servedAt)).toEqual([]);
    expect(load.failures.every((f) => f.status === 502)).toBe(true);
    expect(history().some((r) => r.type === 'restart' && r.reason === `release ${first} crashed`)).toBe(true);
  });

  it('a crash loop of the active release rolls back to the warm previous release', async () => {
    git('commit', '-q', '--allow-empty', '-m', 'second');
    second = await deploy();
    expect(state()).toMatchObject({ active: { release: second }, previous: { release: first, running: true } });
    const active = (await call<AppInfo[]>('apps.list'))!.find((a) => a.id === second)!;
    let killedAt = 0;
    const { value: switchedAt, load } = await underLoad(async () => {
      // From now on the release cannot start: every restart crashes at once.
      writeFileSync(crashFile, '');
      killedAt = Date.now();
      process.kill(active.pid!, 'SIGKILL');
      await expect.poll(() => servedBy(), { timeout: 60_000 }).toBe(first);
      return Date.now();
    });
    rmSync(crashFile);
    expect(state()).toMatchObject({ active: { release: first, running: true }, previous: { release: second, running: false } });
    expect((await call<AppInfo[]>('apps.list'))!.find((a) => a.id === second)?.state).toBe('stopped');
    const rollback = history().find((r) => r.type === 'rollback' && r.reason === 'crash loop');
    expect(rollback).toMatchObject({ status: 'rolled_back', previous: second, release: { id: first } });
    expect(rollback?.detail).toContain(`release ${second} crashed 3 times in a row`);
    expect(failuresOutside(load, killedAt, switchedAt)).toEqual([]);
    expect(load.byRelease[first]).toBeGreaterThan(0);
  });

  it('simulated reboot: every process killed, `deploy resume --all` brings back the same active release, idempotently', async () => {
    const info = (await call<RuntimeInfo>('runtime.info'))!;
    const pids = [info.keeperPid!, info.pid, ...(await call<AppInfo[]>('apps.list'))!.flatMap((a) => (a.pid ? [a.pid] : []))];
    // The keeper first, or it would restart the runtime.
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    await expect.poll(() => pids.filter(alive), { timeout: 10_000 }).toEqual([]);
    expect(await servedBy()).toBeNull();

    const down = await cli('status', 'staging');
    expect(down.stdout).toContain(`\`deploy resume staging\` brings back the router and ${first} (deploys nothing new)`);
    expect(down.stdout).not.toMatch(/`deploy staging`|`deploy rollback/);
    const downJson = JSON.parse((await cli('status', 'staging', '--json')).stdout) as StatusView;
    expect(downJson).toMatchObject({ runtime: null, previous: { release: second, running: false } });

    const recordsBefore = history().length;
    const resumed = await cli('resume', '--all');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(`release ${first} started`);
    expect(await servedBy()).toBe(first);
    const record = history().slice(recordsBefore).find((r) => r.type === 'recovery');
    expect(record).toMatchObject({ status: 'recovered', reason: 'deploy resume', release: { id: first } });

    // Under load, a second resume changes nothing and fails nothing.
    const { value: again, load } = await underLoad(() => cli('resume', 'staging'));
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('nothing to do');
    expect(load.failed).toBe(0);
    expect(history().slice(recordsBefore).filter((r) => r.type === 'recovery')).toHaveLength(1);
    const view = JSON.parse((await cli('status', 'staging', '--json')).stdout) as StatusView;
    expect(view.runtime?.active).toMatchObject({ release: first, state: 'running', up: true });
    expect(view.previous?.running).toBe(view.runtime?.previous?.up ?? false);
  });
});
