import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assertWritableStateDir } from '../../src/journal/writable.js';
import { UserError } from '../../src/errors.js';

// A real full and a real read-only filesystem: a small tmpfs, which only root may mount.
const root = process.getuid?.() === 0;

describe.skipIf(!root)('the state directory write probe (a real tmpfs)', () => {
  const mounts: string[] = [];
  afterEach(() => {
    for (const dir of mounts.splice(0)) {
      execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true });
    }
  });
  function tmpfs(): string {
    const dir = mkdtempSync(join(tmpdir(), 'shipgate-tmpfs-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]);
    mounts.push(dir);
    return dir;
  }

  it('passes on a writable directory and leaves no probe file behind', async () => {
    const dir = join(tmpfs(), 'staging');
    await assertWritableStateDir(dir, 'staging');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a full disk is exit 3, "the disk is full", and nothing is left behind', async () => {
    const disk = tmpfs();
    const dir = join(disk, 'staging');
    mkdirSync(dir);
    try {
      writeFileSync(join(disk, 'filler'), Buffer.alloc(128 * 1024));
    } catch {
      // ENOSPC once the 64 KiB are used: the disk is full, as wanted.
    }
    const error = await assertWritableStateDir(dir, 'staging').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe('state directory .deploy/staging cannot be written: the disk is full; nothing was changed');
    expect((error as UserError).exitCode).toBe(3);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a read-only filesystem is exit 3, "it is not writable"', async () => {
    const disk = tmpfs();
    const dir = join(disk, 'staging');
    mkdirSync(dir);
    execFileSync('mount', ['-o', 'remount,ro', disk]);
    const error = await assertWritableStateDir(dir, 'staging').catch((e: unknown) => e);
    expect((error as UserError).message).toBe('state directory .deploy/staging cannot be written: it is not writable; nothing was changed');
    expect((error as UserError).exitCode).toBe(3);
    expect(existsSync(join(dir, `.write-probe-${process.pid}`))).toBe(false);
  });
});
