import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';

/** `.deploy/` holds state, releases and logs; it must never be committed, whatever the project's .gitignore says. */
export async function ensureDeployDir(projectRoot: string): Promise<string> {
  const dir = join(projectRoot, '.deploy');
  await mkdir(dir, { recursive: true });
  const ignore = join(dir, '.gitignore');
  if (!existsSync(ignore)) await writeFileAtomic(ignore, '*\n');
  return dir;
}

export function stateDirOf(projectRoot: string, environment: string): string {
  return join(projectRoot, '.deploy', environment);
}
