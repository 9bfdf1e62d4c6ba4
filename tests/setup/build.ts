import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repo root, from tests/setup/. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The `deploy` bin as shipped: the bundled CLI (scripts/bundle.mjs). */
export const CLI = join(ROOT, 'dist', 'bin', 'deploy.js');

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
 * Builds dist/ with the project's own `npm run build` (tsc, then the vendored bundles) when it is missing, unbundled or
 * older than src/ (npm test builds first, so usually a no-op). Asynchronous, so a long build does not block the vitest worker's RPC.
 */
export async function ensureBuilt(): Promise<void> {
  const built = existsSync(CLI) ? statSync(CLI).mtimeMs : 0;
  const vendored = existsSync(join(ROOT, 'dist', 'vendor', 'execa.js'));
  if (built >= newestSource(join(ROOT, 'src')) && vendored) return;
  await promisify(execFile)('npm', ['run', 'build', '--silent'], { cwd: ROOT });
}

/** vitest globalSetup entry. */
export default async function setup(): Promise<void> {
  await ensureBuilt();
}
