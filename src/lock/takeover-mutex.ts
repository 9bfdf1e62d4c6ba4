import { open, readFile, unlink } from 'node:fs/promises';
import { isPidAlive } from './holder.js';

/**
 * Serialises the takeover of a dead holder's lock. Without it, two processes that both saw the same
 * dead holder could each delete "the stale lock", the second deleting the first one's fresh lock.
 * Returns false (no takeover) when another process is taking over right now.
 */
export async function withTakeoverMutex(lockPath: string, body: () => Promise<boolean>): Promise<boolean> {
  const mutex = `${lockPath}.takeover`;
  if (!(await tryCreate(mutex))) {
    if (!(await ownerIsDead(mutex))) return false;
    await unlink(mutex).catch(() => undefined);
    if (!(await tryCreate(mutex))) return false;
  }
  try {
    return await body();
  } finally {
    await unlink(mutex).catch(() => undefined);
  }
}

async function tryCreate(path: string): Promise<boolean> {
  try {
    const handle = await open(path, 'wx', 0o644);
    await handle.writeFile(String(process.pid));
    await handle.close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

async function ownerIsDead(path: string): Promise<boolean> {
  try {
    const pid = Number.parseInt(await readFile(path, 'utf8'), 10);
    // An empty file means its creator is between open and write; treat it as alive.
    return Number.isInteger(pid) && pid > 0 && !isPidAlive(pid);
  } catch {
    return false;
  }
}
