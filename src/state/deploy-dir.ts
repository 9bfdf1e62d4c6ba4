import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import { assertRealDirectory } from './real-dir.js';

/** `.deploy/` holds state, releases and logs; it must never be committed, whatever the project's .gitignore says. */
export async function ensureDeployDir(projectRoot: string): Promise<string> {
  const dir = join(projectRoot, '.deploy');
  assertRealDirectory(dir, '.deploy');
  await mkdir(dir, { recursive: true });
  const ignore = join(dir, '.gitignore');
  if (!existsSync(ignore)) await writeFileAtomic(ignore, '*\n');
  return dir;
}

/** Refuses a `.deploy` or `.deploy/<env>` that is a symlink, not a directory, or another user's (docs/security.md). */
export function assertRealStateDirs(projectRoot: string, environment: string): void {
  assertRealDirectory(join(projectRoot, '.deploy'), '.deploy');
  assertRealDirectory(stateDirOf(projectRoot, environment), `.deploy/${environment}`);
}

export function stateDirOf(projectRoot: string, environment: string): string {
  return join(projectRoot, '.deploy', environment);
}
