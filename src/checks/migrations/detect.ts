import { access, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MigrationTool } from './types.js';

/** Finds the project's migration tool from its files and dependencies; null when it has none. */
export async function detectMigrationTool(cwd: string, sqlDir: string | null): Promise<MigrationTool | null> {
  const deps = await readDependencies(cwd);
  if ((await anyExists(cwd, ['prisma/schema.prisma', 'schema.prisma'])) || deps.has('prisma')) return 'prisma';
  if ((await anyExists(cwd, ['drizzle.config.ts', 'drizzle.config.js', 'drizzle.config.mjs', 'drizzle.config.cjs', 'drizzle.config.json'])) || deps.has('drizzle-kit')) return 'drizzle';
  if (await anyExists(cwd, ['knexfile.js', 'knexfile.cjs', 'knexfile.mjs', 'knexfile.ts'])) return 'knex';
  if (deps.has('node-pg-migrate')) return 'node-pg-migrate';
  if (deps.has('umzug')) return 'umzug';
  if (await hasSqlFiles(join(cwd, sqlDir ?? 'migrations'))) return 'sql';
  return null;
}

async function readDependencies(cwd: string): Promise<Set<string>> {
  try {
    const pkg = JSON.parse(await readFile(join(cwd, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    return new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})]);
  } catch {
    return new Set();
  }
}

async function anyExists(cwd: string, paths: string[]): Promise<boolean> {
  return (await firstExisting(cwd, paths)) !== null;
}

/** The first of `paths` (relative to cwd) that exists, or null. */
export async function firstExisting(cwd: string, paths: string[]): Promise<string | null> {
  for (const path of paths) {
    try {
      await access(join(cwd, path));
      return path;
    } catch {
      // try the next one
    }
  }
  return null;
}

async function hasSqlFiles(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).some((name) => name.endsWith('.sql'));
  } catch {
    return false;
  }
}
