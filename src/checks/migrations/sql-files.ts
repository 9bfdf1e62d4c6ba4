import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface SqlMigration {
  name: string;
  path: string;
  sql: string;
  checksum: string;
}

/** The folder's `.sql` files in name order (`*.down.sql` are ignored: we never revert automatically). */
export async function readSqlMigrations(dir: string): Promise<SqlMigration[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.sql') && !n.endsWith('.down.sql'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  names.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(join(dir, name), 'utf8');
      return { name, path: join(dir, name), sql, checksum: createHash('sha256').update(sql).digest('hex').slice(0, 16) };
    }),
  );
}

export interface AppliedRow {
  name: string;
  checksum: string | null;
}

/** Pending = files not in the table. A changed file that was already applied is reported, never re-run. */
export function comparePlan(files: SqlMigration[], applied: AppliedRow[]): { pending: SqlMigration[]; changed: string[] } {
  const byName = new Map(applied.map((row) => [row.name, row.checksum]));
  const pending = files.filter((f) => !byName.has(f.name));
  const changed = files.filter((f) => byName.has(f.name) && byName.get(f.name) && byName.get(f.name) !== f.checksum).map((f) => f.name);
  return { pending, changed };
}

export function isSafeIdentifier(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
}
