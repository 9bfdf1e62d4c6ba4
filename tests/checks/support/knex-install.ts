import { execFile } from 'node:child_process';
import { access, copyFile, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const DIR = join(tmpdir(), 'shipgate-migration-tools-v2');
/**
 * package.json and package-lock.json of knex 3.3.0, node-pg-migrate 9.0.0 and pg 8.23.1 (exact), as `npm install
 * --package-lock-only --save-exact --ignore-scripts knex@3 node-pg-migrate@9 pg@8` wrote them: pinned, so no
 * registry resolution runs (43 s on the loaded box) and a new release of a dependency cannot change what is tested.
 */
const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'migration-tools');
const MODULES = join(DIR, 'node_modules');

async function installed(): Promise<boolean> {
  try {
    await Promise.all(['.bin/knex', '.bin/node-pg-migrate', 'pg'].map((path) => access(join(MODULES, path))));
    return true;
  } catch {
    return false;
  }
}

/**
 * knex, node-pg-migrate and pg from the npm registry (the pinned lockfile above, `npm ci`), installed once into a
 * cache under the temp dir and shared by every test file (a mkdir lock keeps two vitest workers from installing at
 * the same time).
 */
export async function migrationToolsNodeModules(): Promise<string> {
  if (await installed()) return MODULES;
  const lock = `${DIR}.lock`;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 500));
      if (await installed()) return MODULES;
    }
  }
  try {
    if (!(await installed())) {
      await mkdir(DIR, { recursive: true });
      for (const name of ['package.json', 'package-lock.json']) await copyFile(join(FIXTURE, name), join(DIR, name));
      await run('npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: DIR, timeout: 120_000 });
    }
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
  return MODULES;
}

/** knex + pg for the tests that only need knex; null when the registry cannot be reached. */
export async function knexNodeModules(): Promise<string | null> {
  return migrationToolsNodeModules().catch(() => null);
}
