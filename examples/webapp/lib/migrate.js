import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const migrationsDir = fileURLToPath(new URL('../migrations', import.meta.url));
export const trackingTable = 'schema_migrations';

/**
 * Applies pending migrations/*.sql in name order, each in its own transaction, recording name and checksum in
 * schema_migrations. Same table layout as shipgate's plain-SQL migration tool, so either one can apply them.
 */
export function migrate(db, dir = migrationsDir) {
  db.exec(`CREATE TABLE IF NOT EXISTS ${trackingTable} (name TEXT PRIMARY KEY, checksum TEXT, applied_at TEXT NOT NULL DEFAULT (datetime('now')))`);
  const files = migrationFiles(dir);
  const applied = [];
  for (const name of files) {
    const sql = readFileSync(join(dir, name), 'utf8');
    // IMMEDIATE takes the write lock first, so two processes starting at once apply each file once.
    const apply = db.transaction(() => {
      if (db.prepare(`SELECT 1 FROM ${trackingTable} WHERE name = ?`).get(name)) return false;
      db.exec(sql);
      db.prepare(`INSERT INTO ${trackingTable} (name, checksum) VALUES (?, ?)`).run(name, checksum(sql));
      return true;
    });
    if (apply.immediate()) applied.push(name);
  }
  return applied;
}

export function pendingMigrations(db, dir = migrationsDir) {
  const files = migrationFiles(dir);
  const exists = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(trackingTable);
  if (!exists) return files;
  const done = new Set(db.prepare(`SELECT name FROM ${trackingTable}`).all().map((row) => row.name));
  return files.filter((name) => !done.has(name));
}

function migrationFiles(dir) {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.sql') && !name.endsWith('.down.sql'))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

function checksum(sql) {
  return createHash('sha256').update(sql).digest('hex').slice(0, 16);
}
