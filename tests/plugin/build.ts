import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pluginRoot } from './plugin-files.js';

export const cliPath = join(pluginRoot, 'dist/src/cli/main.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds dist/ with `tsc -p tsconfig.json` unless it is newer than every file under src/
 * (tsc's output depends on nothing else). tsc emits even when another area has type errors.
 */
export async function ensureBuilt(): Promise<void> {
  if (existsSync(cliPath) && statSync(cliPath).mtimeMs >= newestSource(join(pluginRoot, 'src'))) return;
  try {
    await promisify(execFile)(join(pluginRoot, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], { cwd: pluginRoot });
  } catch (error) {
    if (!existsSync(cliPath)) throw error;
  }
}
