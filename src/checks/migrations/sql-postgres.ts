import pg from 'pg';
import type { AppliedRow, SqlMigration } from './sql-files.js';
import { describeDatabase } from './database-url.js';
import { MigrationError } from './types.js';

const CONNECT_TIMEOUT_MS = 5_000;

/** Opens a client or throws a MigrationError that names the host, never the URL or its password. */
export async function connectPostgres(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    throw new MigrationError(`database unreachable (${describeDatabase({ kind: 'postgres', url })}${code ? `: ${code}` : ''})`);
  }
}

export async function readAppliedPostgres(client: pg.Client, table: string): Promise<AppliedRow[]> {
  const exists = await client.query<{ oid: string | null }>('SELECT to_regclass($1) AS oid', [table]);
  if (!exists.rows[0]?.oid) return [];
  const rows = await client.query<AppliedRow>(`SELECT name, checksum FROM "${table}" ORDER BY name`);
  return rows.rows;
}

/**
 * Applies each migration in its own transaction together with its tracking row, so a failing file leaves
 * neither half its changes nor a record. An advisory lock keeps two deploys from applying at once.
 */
export async function applyPostgres(client: pg.Client, table: string, migrations: SqlMigration[]): Promise<string[]> {
  await client.query(
    `CREATE TABLE IF NOT EXISTS "${table}" (name text PRIMARY KEY, checksum text, applied_at timestamptz NOT NULL DEFAULT now())`,
  );
  await client.query('SELECT pg_advisory_lock(hashtext($1))', [`shipgate:${table}`]);
  const applied: string[] = [];
  try {
    const done = new Set((await readAppliedPostgres(client, table)).map((r) => r.name));
    for (const migration of migrations) {
      if (done.has(migration.name)) continue;
      try {
        await client.query('BEGIN');
        await client.query(migration.sql);
        await client.query(`INSERT INTO "${table}" (name, checksum) VALUES ($1, $2)`, [migration.name, migration.checksum]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        const errors = postgresErrorLines(error, migration.sql);
        throw new MigrationError(`migration ${migration.name} failed and was rolled back: ${(error as Error).message}`, applied, { failed: migration.name, errors });
      }
      applied.push(migration.name);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`shipgate:${table}`]).catch(() => undefined);
  }
  return applied;
}

/** The server's error as psql prints it: `ERROR: …`, the line it points at, DETAIL and HINT. */
export function postgresErrorLines(error: unknown, sql: string): string[] {
  const e = error as { severity?: string; message: string; detail?: string; hint?: string; position?: string };
  const lines = [`${e.severity ?? 'ERROR'}: ${e.message}`];
  const position = Number(e.position);
  if (position > 0) {
    const lineNo = sql.slice(0, position - 1).split('\n').length;
    lines.push(`LINE ${lineNo}: ${(sql.split('\n')[lineNo - 1] ?? '').trim()}`);
  }
  if (e.detail) lines.push(`DETAIL: ${e.detail}`);
  if (e.hint) lines.push(`HINT: ${e.hint}`);
  return lines;
}
