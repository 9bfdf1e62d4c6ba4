import { hostname, userInfo } from 'node:os';
import { randomBytes } from 'node:crypto';
import { isZombie } from '../exec/process-liveness.js';

/** Who holds a deploy lock. Stored as JSON inside the lock file. */
export interface LockHolder {
  pid: number;
  host: string;
  user: string;
  startedAt: string;
  version: string;
  environment: string;
  /** Distinguishes two locks taken by the same process in the same millisecond. */
  token: string;
}

export function currentHolder(environment: string, version: string, now: Date): LockHolder {
  return {
    pid: process.pid,
    host: hostname(),
    user: safeUser(),
    startedAt: now.toISOString(),
    version,
    environment,
    token: randomBytes(6).toString('hex'),
  };
}

export function describeHolder(holder: LockHolder): string {
  return `pid ${holder.pid} on ${holder.host} (user ${holder.user}, version ${holder.version}, since ${holder.startedAt})`;
}

/** A holder is provably dead only when it ran on this host and its pid is gone; a lock from another host is never taken over. */
export function isHolderDead(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return false;
  return !isPidAlive(holder.pid);
}

export function isPidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM means the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

export function parseHolder(text: string): LockHolder | null {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (typeof value.pid !== 'number' || typeof value.host !== 'string') return null;
    return {
      pid: value.pid,
      host: value.host,
      user: String(value.user ?? 'unknown'),
      startedAt: String(value.startedAt ?? ''),
      version: String(value.version ?? ''),
      environment: String(value.environment ?? ''),
      token: String(value.token ?? ''),
    };
  } catch {
    return null;
  }
}
