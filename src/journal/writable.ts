import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, UserError } from '../errors.js';
import { writeSyncedFileSync } from '../state/atomic-write.js';

/**
 * Before anything changes: the environment's state directory takes an fsynced write of a few KB, so an unwritable or
 * full disk is one clear line and exit 3, not a half-done deploy. Synchronous on purpose: it runs while the run's first
 * git commands spawn, and each of its awaits would wait behind their forks on the main thread (~90 ms for 7 awaits on
 * the 2-core box); the calls themselves take about a millisecond.
 */
export async function assertWritableStateDir(stateDir: string, environment: string): Promise<void> {
  const probe = join(stateDir, `.write-probe-${process.pid}`);
  try {
    mkdirSync(stateDir, { recursive: true });
    writeSyncedFileSync(probe, 'x'.repeat(16 * 1024));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    const why = code === 'ENOSPC' ? 'the disk is full' : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'it is not writable' : `writing failed (${code})`;
    throw new UserError(`state directory .deploy/${environment} cannot be written: ${why}; nothing was changed`, ExitCode.precheckFailed);
  } finally {
    try {
      rmSync(probe, { force: true });
    } catch {
      // A probe that cannot be removed changes nothing the run reads.
    }
  }
}
