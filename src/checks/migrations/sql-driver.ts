import { join } from 'node:path';
import { parseDatabaseTarget } from './database-url.js';
import type { SqlMigration } from './sql-files.js';
import { comparePlan, isSafeIdentifier, readSqlMigrations } from './sql-files.js';
import { applySqlite, readTrackingSqlite } from './sql-sqlite.js';
import type { MigrationDriver, MigrationsInput, MigrationStatus } from './types.js';
import { MigrationError } from './types.js';

export const DEFAULT_SQL_DIR = 'migrations';
export const DEFAULT_SQL_TABLE = 'schema_migrations';

/** Plain `.sql` files applied in name order and recorded in a tracking table (PostgreSQL or SQLite). */
export const sqlDriver: MigrationDriver = {
  async status(input) {
    const { files, table, target } = await prepare(input);
    const tracked =
      target.kind === 'postgres'
        ? await withClient(target.url, async (c) => (await postgres()).readAppliedPostgres(c, table))
        : await readTrackingSqlite(input.executor, target.path, table);
    const { pending, changed } = comparePlan(files, tracked ?? []);
    const status: MigrationStatus = { tool: 'sql', pending: pending.map((m) => m.name), sql: Object.fromEntries(pending.map((m) => [m.name, { sql: m.sql }])) };
    if (target.kind === 'sqlite' && tracked) status.recorded = tracked.map((row) => row.name);
    if (changed.length) {
      status.note = `changed after being applied: ${changed.join(', ')}`;
      status.warning = true;
    }
    return status;
  },

  async apply(input) {
    const { files, table, target } = await prepare(input);
    // The pre-check read the tracking table under this run's lock: when it holds every file, there is nothing to do.
    const recorded = new Set(input.recorded);
    if (input.recorded && files.every((file) => recorded.has(file.name))) return [];
    if (target.kind === 'postgres') return withClient(target.url, async (c) => (await postgres()).applyPostgres(c, table, files));
    return applySqlite(input.executor, target.path, table, files);
  },
};

async function prepare(input: MigrationsInput): Promise<{ files: SqlMigration[]; table: string; target: NonNullable<ReturnType<typeof parseDatabaseTarget>> }> {
  const table = input.table ?? DEFAULT_SQL_TABLE;
  if (!isSafeIdentifier(table)) throw new MigrationError(`migrations.table: "${table}" is not a plain table name`);
  const files = await readSqlMigrations(join(input.cwd, input.dir ?? DEFAULT_SQL_DIR));
  if (!input.database) throw new MigrationError('no database URL for migrations (set migrations.database or verify.database)');
  const target = parseDatabaseTarget(input.database, input.cwd);
  if (!target) throw new MigrationError('migrations database is neither a postgres:// URL nor a SQLite file');
  return { files, table, target };
}

/** pg (about 80 ms to load) only for PostgreSQL targets; SQLite projects never load it. */
const postgres = () => import('./sql-postgres.js');

async function withClient<T>(url: string, body: (client: import('pg').Client) => Promise<T>): Promise<T> {
  const client = await (await postgres()).connectPostgres(url);
  try {
    return await body(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
