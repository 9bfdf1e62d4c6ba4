import { execFile } from 'node:child_process';
import { access, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Installs knex + pg once into a cache dir under the temp dir (npm registry); null when that is not possible. */
export async function knexNodeModules(): Promise<string | null> {
  const dir = join(tmpdir(), 'shipgate-knex-cache-v1');
  const modules = join(dir, 'node_modules');
  try {
    await access(join(modules, '.bin', 'knex'));
    await access(join(modules, 'pg'));
    return modules;
  } catch {
    // not cached yet
  }
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'package.json'), '{"name":"knex-cache","private":true}\n');
    await run('npm', ['install', 'knex@3', 'pg@8', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: dir, timeout: 50_000 });
    await access(join(modules, '.bin', 'knex'));
    return modules;
  } catch {
    return null;
  }
}
