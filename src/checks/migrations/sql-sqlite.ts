import { access, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Executor } from '../../exec/executor.js';
import type { AppliedRow, SqlMigration } from './sql-files.js';
import { MigrationError } from './types.js';

/** The running app (blue) may hold the file; wait for its write lock instead of failing at once. */
const BUSY_TIMEOUT = '.timeout 5000\n';
const TABLE_MARKER = 'shipgate:table';

/**
 * Plain .sql migrations against a SQLite file through the `sqlite3` command-line shell (Debian's
 * sqlite3 package): argv only, SQL on stdin, `-bail` so the first error ends the script.
 */
export async function readAppliedSqlite(executor: Executor, path: string, table: string): Promise<AppliedRow[]> {
  return (await readTrackingSqlite(executor, path, table)) ?? [];
}

/** The tracking table's rows; null while the database file or the table does not exist. */
export async function readTrackingSqlite(executor: Executor, path: string, table: string): Promise<AppliedRow[] | null> {
  if (!(await exists(path))) return null;
  // One process on every deploy's critical path: a marker row says the table exists, then its rows follow. Without
  // the table, the second statement fails with "no such table" after printing nothing: nothing is applied yet.
  const result = await executor.run({
    file: 'sqlite3',
    args: ['-batch', '-bail', '-noheader', '-separator', '\t', path],
    input: `${BUSY_TIMEOUT}SELECT '${TABLE_MARKER}' FROM sqlite_master WHERE type='table' AND name='${quote(table)}';\nSELECT name, checksum FROM "${table}" ORDER BY name;\n`,
    mutates: false,
    timeoutMs: 10_000,
  });
  const [marker, ...lines] = result.stdout.split('\n').filter(Boolean);
  if (marker !== TABLE_MARKER) {
    if (/no such table/i.test(result.stderr)) return null;
    throw unreachable(path, result.stderr);
  }
  if (result.exitCode !== 0) throw unreachable(path, result.stderr);
  return lines.map((line) => {
    const [name, checksum] = line.split('\t');
    return { name: name!, checksum: checksum || null };
  });
}

/** Each file runs in its own transaction with its tracking row; with -bail a failure exits before COMMIT, so SQLite rolls it back. */
export async function applySqlite(executor: Executor, path: string, table: string, migrations: SqlMigration[]): Promise<string[]> {
  await mkdir(dirname(path), { recursive: true });
  // One sqlite3 process creates the tracking table and lists what it holds (it used to take three).
  const create = `CREATE TABLE IF NOT EXISTS "${table}" (name TEXT PRIMARY KEY, checksum TEXT, applied_at TEXT NOT NULL DEFAULT (datetime('now')));\n`;
  const list = `SELECT name FROM "${table}" ORDER BY name;\n`;
  const setup = await executor.run({ file: 'sqlite3', args: ['-batch', '-bail', '-noheader', path], input: `${BUSY_TIMEOUT}${create}${list}`, mutates: true, timeoutMs: 10_000 });
  if (setup.exitCode !== 0) throw unreachable(path, setup.stderr);
  // Under --dry-run nothing ran (and nothing below runs either): read what is there instead.
  const names = setup.skipped ? (await readAppliedSqlite(executor, path, table)).map((r) => r.name) : setup.stdout.split('\n').filter(Boolean);
  const done = new Set(names);
  const applied: string[] = [];
  for (const migration of migrations) {
    if (done.has(migration.name)) continue;
    const script = [
      BUSY_TIMEOUT.trim(),
      'BEGIN IMMEDIATE;',
      migration.sql,
      ';',
      `INSERT INTO "${table}" (name, checksum) VALUES ('${quote(migration.name)}', '${migration.checksum}');`,
      'COMMIT;',
      '',
    ].join('\n');
    const result = await executor.run({ file: 'sqlite3', args: ['-batch', '-bail', path], input: script, mutates: true, timeoutMs: 60_000 });
    if (result.exitCode !== 0) {
      const errors = result.stderr.split('\n').map((l) => l.trim()).filter(Boolean).slice(0, 3);
      throw new MigrationError(`migration ${migration.name} failed and was rolled back: ${firstLine(result.stderr)}`, applied, { failed: migration.name, errors });
    }
    if (!result.skipped) applied.push(migration.name);
  }
  return applied;
}

function unreachable(path: string, stderr: string): MigrationError {
  return new MigrationError(`database unreachable (sqlite ${path}: ${firstLine(stderr) || 'sqlite3 failed (is the sqlite3 package installed?)'})`);
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

function quote(value: string): string {
  return value.replace(/'/g, "''");
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
