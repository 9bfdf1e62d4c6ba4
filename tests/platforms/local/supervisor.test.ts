import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppSupervisor, type SupervisorEvent } from '../../../src/platforms/local/supervisor.js';

const fixture = join(import.meta.dirname, 'fixtures', 'tiny-app.mjs');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function setup(options: ConstructorParameters<typeof AppSupervisor>[0] = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'shipgate-supervisor-'));
  const supervisor = new AppSupervisor(options);
  const events: SupervisorEvent[] = [];
  supervisor.on('event', (event) => events.push(event));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(async () => {
    await supervisor.stopAll(2_000);
  });
  const spec = (id: string, env: Record<string, string> = {}) => ({
    id,
    cwd: dir,
    command: `"${process.execPath}" "${fixture}"`,
    env: { PATH: process.env.PATH ?? '', RELEASE_ID: id, ...env },
    logFile: join(dir, id, 'app.log'),
  });
  return { dir, supervisor, events, spec };
}

function nextEvent(supervisor: AppSupervisor, match: (event: SupervisorEvent) => boolean): Promise<SupervisorEvent> {
  return new Promise((resolve) => {
    const listener = (event: SupervisorEvent) => {
      if (!match(event)) return;
      supervisor.off('event', listener);
      resolve(event);
    };
    supervisor.on('event', listener);
  });
}

async function waitForAnswer(url: string, deadlineMs = 15_000): Promise<Response> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await fetch(url);
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
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

describe('AppSupervisor', () => {
  it('starts an app on a free loopback port with PORT and its env, logging to the release log file', async () => {
    const { supervisor, spec } = setup();
    const app = await supervisor.start(spec('r1', { APP_SECRET: 'hunter2-secret-value' }));
    expect(app.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await waitForAnswer(app.url);
    expect(res.headers.get('x-release')).toBe('r1');
    expect(await res.json()).toEqual({ port: String(app.port), secret: 'set' });
    // The secret is in the child's environment, not on its command line.
    const cmdline = readFileSync(`/proc/${app.pid}/cmdline`, 'utf8');
    expect(cmdline).not.toContain('hunter2');
    expect(readFileSync(app.logFile, 'utf8')).toContain(`listening on ${app.port}`);
    expect(supervisor.list().map((a) => [a.id, a.state])).toEqual([['r1', 'running']]);
  });

  it('restarts a crashed active app with backoff on the same port and reports it', async () => {
    const { supervisor, spec, events } = setup({ initialBackoffMs: 20 });
    const app = await supervisor.start({ ...spec('r1'), restartOnCrash: true });
    await waitForAnswer(app.url);
    const restarted = nextEvent(supervisor, (e) => e.type === 'started' && e.restart === 1);
    await fetch(`${app.url}/crash`).catch(() => undefined);
    await restarted;
    const res = await waitForAnswer(app.url);
    expect(res.status).toBe(200);
    expect(events.map((e) => e.type)).toEqual(['started', 'exited', 'restarting', 'started']);
    expect(events[1]).toMatchObject({ type: 'exited', code: 3, expected: false });
    expect(events[2]).toMatchObject({ type: 'restarting', attempt: 1, delayMs: 20 });
    expect(supervisor.get('r1')).toMatchObject({ state: 'running', restarts: 1, port: app.port });
  });

  it('doubles the backoff on consecutive crashes and gives up after maxRestarts', async () => {
    const { supervisor, spec, dir, events } = setup({ initialBackoffMs: 10, maxRestarts: 3 });
    const gaveUp = nextEvent(supervisor, (e) => e.type === 'gave-up');
    await supervisor.start({ ...spec('r1', { CRASH_COUNTER_FILE: join(dir, 'count'), CRASHES: '100' }), restartOnCrash: true });
    expect(await gaveUp).toEqual({ type: 'gave-up', id: 'r1', attempts: 3 });
    expect(events.filter((e) => e.type === 'restarting').map((e) => (e as { delayMs: number }).delayMs)).toEqual([10, 20, 40]);
    expect(supervisor.get('r1')?.state).toBe('gave-up');
  });

  it('does not restart an app that is not active (green before the switch)', async () => {
    const { supervisor, spec, dir } = setup({ initialBackoffMs: 10 });
    const exited = nextEvent(supervisor, (e) => e.type === 'exited');
    await supervisor.start(spec('green', { CRASH_COUNTER_FILE: join(dir, 'count'), CRASHES: '1' }));
    expect(await exited).toMatchObject({ code: 1, expected: false });
    expect(supervisor.get('green')).toMatchObject({ state: 'exited', restarts: 0, lastExit: { code: 1 } });
  });

  it('stops with SIGTERM, and with SIGKILL for the whole group after the timeout', async () => {
    const { supervisor, spec } = setup();
    const polite = await supervisor.start(spec('polite'));
    const stubborn = await supervisor.start(spec('stubborn', { IGNORE_SIGTERM: '1', CHILD: '1' }));
    await waitForAnswer(polite.url);
    await waitForAnswer(stubborn.url);
    const grandchild = Number(/grandchild (\d+)/.exec(readFileSync(stubborn.logFile, 'utf8'))?.[1]);
    expect(alive(grandchild)).toBe(true);

    expect(await supervisor.stop('polite', 5_000)).toMatchObject({ forced: false });
    const forced = await supervisor.stop('stubborn', 300);
    expect(forced).toMatchObject({ forced: true, signal: 'SIGKILL' });
    expect(alive(stubborn.pid!)).toBe(false);
    await expect.poll(() => alive(grandchild), { timeout: 5_000 }).toBe(false);
    expect(supervisor.list().map((a) => a.state)).toEqual(['stopped', 'stopped']);
    await expect(fetch(polite.url)).rejects.toThrow();
  });

  it('refuses to start a second app under a running id', async () => {
    const { supervisor, spec } = setup();
    await supervisor.start(spec('r1'));
    await expect(supervisor.start(spec('r1'))).rejects.toThrow('app r1 is already running');
  });
});
