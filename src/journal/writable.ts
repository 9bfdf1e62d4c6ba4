import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ExitCode, UserError } from '../errors.js';
import { writeFileAtomic } from '../state/atomic-write.js';

/**
 * Before anything changes: the environment's state directory takes an atomic write (temp file, fsync, rename)
 * of a few KB, so an unwritable or full disk is one clear line and exit 3, not a half-done deploy.
 */
export async function assertWritableStateDir(stateDir: string, environment: string): Promise<void> {
  const probe = join(stateDir, `.write-probe-${process.pid}`);
  try {
    await mkdir(stateDir, { recursive: true });
    await writeFileAtomic(probe, 'x'.repeat(16 * 1024));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    const why = code === 'ENOSPC' ? 'the disk is full' : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'it is not writable' : `writing failed (${code})`;
    throw new UserError(`state directory .deploy/${environment} cannot be written: ${why}; nothing was changed`, ExitCode.precheckFailed);
  } finally {
    await rm(probe, { force: true }).catch(() => undefined);
  }
}
