import { readFile, rm, unlink } from 'node:fs/promises';
import { linkSync, mkdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ExitCode, UserError } from '../errors.js';
import { writeSyncedFileSync } from '../state/atomic-write.js';
import type { LockHolder } from './holder.js';
import { currentHolder, describeHolder, isHolderDead, parseHolder } from './holder.js';
import { withTakeoverMutex } from './takeover-mutex.js';

export interface AcquireLockInput {
  /** `<projectRoot>/.deploy/<env>`; the lock lives at `<stateDir>/lock`. */
  stateDir: string;
  environment: string;
  /** How long to wait for a held lock (--lock-wait). 0 fails at once. */
  waitMs?: number;
  now?: () => Date;
  /** Version of the tool taking the lock, recorded for whoever finds it held. */
  version?: string;
  pollMs?: number;
  /** Remove the lock if the process exits without releasing it (default true). */
  releaseOnExit?: boolean;
  signal?: AbortSignal;
  /** What the lock guards, for messages. Default: the environment's deploy lock, cleared with `deploy unlock`. */
  label?: { name: string; unlockHint: string };
}

export interface DeployLock {
  path: string;
  holder: LockHolder;
  /** Set when a dead holder's lock was taken over; the caller shows `warning` and records it. */
  tookOverFrom?: LockHolder;
  warning?: string;
  release(): Promise<void>;
}

export function lockPath(stateDir: string): string {
  return join(stateDir, 'lock');
}

/** Takes the per-environment deploy lock: exactly one caller wins; a dead holder on this host is taken over. */
export async function acquireLock(input: AcquireLockInput): Promise<DeployLock> {
  const now = input.now ?? (() => new Date());
  const path = lockPath(input.stateDir);
  const waitMs = input.waitMs ?? 0;
  const pollMs = input.pollMs ?? 100;
  const deadline = Date.now() + waitMs;
  mkdirSync(input.stateDir, { recursive: true });

  for (;;) {
    const holder = currentHolder(input.environment, input.version ?? 'unknown', now());
    if (await createExclusive(path, holder)) return finish(path, holder, input);

    const existing = await readLock(input.stateDir);
    if (existing && isHolderDead(existing)) {
      const took = await withTakeoverMutex(path, async () => {
        const again = await readLock(input.stateDir);
        if (!again || !sameHolder(again, existing)) return false;
        await unlink(path).catch(ignoreMissing);
        return createExclusive(path, holder);
      });
      if (took) {
        const lock = finish(path, holder, input);
        lock.tookOverFrom = existing;
        lock.warning = `took over the ${input.environment} deploy lock from a dead process: ${describeHolder(existing)}`;
        return lock;
      }
    }
    if (Date.now() >= deadline || input.signal?.aborted) {
      throw heldError(input.environment, (await readLock(input.stateDir)) ?? existing, waitMs, input.label);
    }
    await sleep(Math.min(pollMs, Math.max(1, deadline - Date.now())));
  }
}

/** Removes the lock whoever holds it (`deploy unlock <env>`). Returns the holder that was removed, if any. */
export async function forceUnlock(stateDir: string): Promise<LockHolder | null> {
  const holder = await readLock(stateDir);
  await rm(lockPath(stateDir), { force: true });
  return holder;
}

export async function readLock(stateDir: string): Promise<LockHolder | null> {
  try {
    return parseHolder(await readFile(lockPath(stateDir), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Writes the holder to a private temp file, then hard-links it into place: link() fails if the lock exists, and readers
 * never see a half-written lock. Synchronous on purpose (about a millisecond): the lock is taken while the run's first git
 * commands spawn, and each await would wait behind their forks on the main thread.
 */
async function createExclusive(path: string, holder: LockHolder): Promise<boolean> {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeSyncedFileSync(temp, JSON.stringify(holder) + '\n', { flag: 'wx', mode: 0o644 });
  try {
    linkSync(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    try {
      unlinkSync(temp);
    } catch (error) {
      ignoreMissing(error);
    }
  }
}

function finish(path: string, holder: LockHolder, input: AcquireLockInput): DeployLock {
  let released = false;
  const onExit = (): void => {
    if (!released) releaseSync(path, holder);
  };
  if (input.releaseOnExit !== false) process.once('exit', onExit);
  return {
    path,
    holder,
    async release() {
      if (released) return;
      released = true;
      process.removeListener('exit', onExit);
      releaseSync(path, holder);
    },
  };
}

/** Removes the lock only if it is still ours, so a forced unlock followed by another deploy is never undone. */
function releaseSync(path: string, holder: LockHolder): void {
  try {
    const current = parseHolder(readFileSync(path, 'utf8'));
    if (current && sameHolder(current, holder)) unlinkSync(path);
  } catch {
    // Already gone.
  }
}

function sameHolder(a: LockHolder, b: LockHolder): boolean {
  return a.pid === b.pid && a.host === b.host && a.startedAt === b.startedAt && a.token === b.token;
}

function heldError(environment: string, holder: LockHolder | null, waitMs: number, label?: AcquireLockInput['label']): UserError {
  const who = holder ? describeHolder(holder) : 'another process';
  const waited = waitMs > 0 ? ` after waiting ${waitMs}ms` : '';
  if (label) return new UserError(`${label.name} is held by ${who}${waited}; ${label.unlockHint}`, ExitCode.locked);
  return new UserError(
    `deploy lock for ${environment} is held by ${who}${waited}; retry with --lock-wait <duration>, or run \`deploy unlock ${environment}\` if it is stale`,
    ExitCode.locked,
  );
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
