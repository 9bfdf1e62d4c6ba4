import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** Writes a file so that readers see either the old content or the new one, never a mix: temp file, fsync, rename. Owner-only unless a mode is given. */
export async function writeFileAtomic(path: string, content: string, mode = 0o600): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'w', mode);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

export async function writeJsonAtomic(path: string, value: unknown, mode = 0o600): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n', mode);
}

/**
 * Writes `content` to `path` and fsyncs it, without awaits: a small file written on the run's critical path takes about
 * a millisecond this way, where each await of an async write can wait behind whatever holds the main thread (a spawn
 * forks the whole process there). `flag` 'wx' fails when the file exists.
 */
export function writeSyncedFileSync(path: string, content: string, options: { flag?: 'w' | 'wx'; mode?: number } = {}): void {
  const fd = openSync(path, options.flag ?? 'w', options.mode ?? 0o600);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** writeFileAtomic without awaits (writeSyncedFileSync), for the journal. */
export function writeFileAtomicSync(path: string, content: string, mode = 0o600): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  writeSyncedFileSync(temp, content, { mode });
  try {
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

export function writeJsonAtomicSync(path: string, value: unknown, mode = 0o600): void {
  writeFileAtomicSync(path, JSON.stringify(value, null, 2) + '\n', mode);
}
