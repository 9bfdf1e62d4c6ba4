import { existsSync } from 'node:fs';
import { CLI, ensureBuilt as buildDist } from '../setup/build.js';

export const cliPath = CLI;

/**
 * dist/ built by the shared helper (tsc when src/ is newer). tsc still emits when
 * another area has type errors in progress; then the CLI exists and is used.
 */
export async function ensureBuilt(): Promise<void> {
  try {
    await buildDist();
  } catch (error) {
    if (!existsSync(CLI)) throw error;
  }
}
