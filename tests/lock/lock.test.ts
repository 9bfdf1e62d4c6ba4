import { describe, expect, it, afterEach } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir, hostname } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { acquireLock, forceUnlock, readLock } from '../../src/lock/lock.js';
import { UserError } from '../../src/errors.js';

const viteNode = join(process.cwd(), 'node_modules/.bin/vite-node');
const fixture = join(process.cwd(), 'tests/lock/fixtures/hold-lock.ts');
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

async function tempState(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'shipgate-lock-'));
}

/** Starts a real process that takes the lock; resolves once it has it. */
async function holderProcess(stateDir: string): Promise<ChildProcess> {
  const child = spawn(viteNode, [fixture, stateDir, 'staging'], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk) => {
      out += String(chunk);
      if (out.includes('acquired')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`holder exited early with ${code}: ${out}`)));
  });
  return child;
}

describe('deploy lock', () => {
  it('lets exactly one of many concurrent callers win, and records the holder', async () => {
    const stateDir = await tempState();
    const attempts = await Promise.allSettled(
      Array.from({ length: 12 }, () => acquireLock({ stateDir, environment: 'staging', version: '9.9.9' })),
    );
    const won = attempts.filter((a) => a.status === 'fulfilled');
    const lost = attempts.filter((a): a is PromiseRejectedResult => a.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(11);
    for (const failure of lost) {
      expect(failure.reason).toBeInstanceOf(UserError);
      expect(failure.reason.exitCode).toBe(5);
    }
    const holder = JSON.parse(await readFile(join(stateDir, 'lock'), 'utf8'));
    expect(holder).toMatchObject({ pid: process.pid, host: hostname(), version: '9.9.9', environment: 'staging' });
    expect(typeof holder.user).toBe('string');
    expect(Number.isNaN(Date.parse(holder.startedAt))).toBe(false);
    await (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireLock>>>).value.release();
    await expect(stat(join(stateDir, 'lock'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses with exit 5 naming a live holder in another process', async () => {
    const stateDir = await tempState();
    const child = await holderProcess(stateDir);
    const error = await acquireLock({ stateDir, environment: 'staging' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(5);
    expect((error as UserError).message).toContain(`pid ${child.pid}`);
    expect((error as UserError).message).toContain('fixture-1.0.0');
    expect((error as UserError).message).not.toContain('\n');
  });

  it('takes over the lock of a holder that was killed, with a warning', async () => {
    const stateDir = await tempState();
    const child = await holderProcess(stateDir);
    const deadPid = child.pid;
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect((await readLock(stateDir))?.pid).toBe(deadPid);

    const lock = await acquireLock({ stateDir, environment: 'staging' });
    expect(lock.tookOverFrom?.pid).toBe(deadPid);
    expect(lock.warning).toContain(`pid ${deadPid}`);
    expect((await readLock(stateDir))?.pid).toBe(process.pid);
    await lock.release();
  });

  it('waits for a held lock until the holder releases it', async () => {
    const stateDir = await tempState();
    const child = await holderProcess(stateDir);
    const waiting = acquireLock({ stateDir, environment: 'staging', waitMs: 30_000, pollMs: 20 });
    let settled = false;
    void waiting.then(() => (settled = true), () => (settled = true));
    // Still waiting while the holder lives: the lock file still names the child.
    expect((await readLock(stateDir))?.pid).toBe(child.pid);
    expect(settled).toBe(false);
    child.kill('SIGTERM');
    const lock = await waiting;
    expect(lock.tookOverFrom).toBeUndefined();
    expect((await readLock(stateDir))?.pid).toBe(process.pid);
    await lock.release();
  });

  it('gives up after the wait with exit 5', async () => {
    const stateDir = await tempState();
    const first = await acquireLock({ stateDir, environment: 'staging', releaseOnExit: false });
    const error = await acquireLock({ stateDir, environment: 'staging', waitMs: 150, pollMs: 20 }).catch((e: unknown) => e);
    expect((error as UserError).exitCode).toBe(5);
    expect((error as UserError).message).toMatch(/after waiting 150ms/);
    await first.release();
  });

  it('releases on process exit when the holder never called release()', async () => {
    const stateDir = await tempState();
    const child = await holderProcess(stateDir);
    child.kill('SIGUSR2');
    await once(child, 'exit');
    expect(await readLock(stateDir)).toBeNull();
  });

  it('forceUnlock removes a live lock, and the old holder release() leaves the new lock alone', async () => {
    const stateDir = await tempState();
    const first = await acquireLock({ stateDir, environment: 'staging', releaseOnExit: false });
    const removed = await forceUnlock(stateDir);
    expect(removed?.pid).toBe(process.pid);
    const second = await acquireLock({ stateDir, environment: 'staging', releaseOnExit: false });
    await first.release();
    expect((await readLock(stateDir))?.token).toBe(second.holder.token);
    await second.release();
    expect(await forceUnlock(stateDir)).toBeNull();
    await rm(stateDir, { recursive: true, force: true });
  });
});
