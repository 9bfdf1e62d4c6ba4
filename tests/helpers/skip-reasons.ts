import { appendFileSync } from 'node:fs';
import { expect } from 'vitest';
import { SKIP_REASONS_ENV } from '../setup/skipped-reporter.js';

/**
 * Records why the current test file skips its tests (no Docker Engine, no sshd), so the reporter names them in its
 * one line at the end of the run. Call it from the file's top level, where `expect.getState().testPath` is the file.
 */
export function recordSkipReason(reason: string): void {
  const log = process.env[SKIP_REASONS_ENV];
  const file = expect.getState().testPath;
  if (log && file) appendFileSync(log, JSON.stringify({ file, reason }) + '\n');
}
