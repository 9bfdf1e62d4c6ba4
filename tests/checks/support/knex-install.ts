import { execFile } from 'node:child_process';
import { access, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const DIR = join(tmpdir(), 'shipgate-migration-tools-v1');
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
 * knex 3, node-pg-migrate 9 and pg 8 from the npm registry, installed once into a cache under the temp dir and
 * shared by every test file (a mkdir lock keeps two vitest workers from installing at the same time).
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
      await writeFile(join(DIR, 'package.json'), '{"name":"migration-tools-cache","private":true}\n');
      await run('npm', ['install', 'knex@3', 'node-pg-migrate@9', 'pg@8', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: DIR, timeout: 120_000 });
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
