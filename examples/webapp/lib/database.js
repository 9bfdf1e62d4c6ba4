import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';

/**
 * Where the SQLite file lives. Every release runs from its own directory, so the file must live outside them,
 * in one place all releases share: DATABASE_URL (sqlite:path, file:path or a plain path) wins, a relative path
 * being relative to the project root (DEPLOY_PROJECT_ROOT, set by shipgate; else the working directory, which is
 * the project root under `npm start`). Without DATABASE_URL: the deploy tool's shared directory, else ./data/app.db.
 */
export function resolveDatabasePath(env = process.env, cwd = process.cwd()) {
  const base = env.DEPLOY_PROJECT_ROOT || cwd;
  const url = env.DATABASE_URL;
  if (url) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !/^(sqlite|file):/i.test(url)) throw new Error('DATABASE_URL: this app supports SQLite only (sqlite:path)');
    const path = url.replace(/^sqlite:(\/\/)?/i, '').replace(/^file:(\/\/)?/i, '');
    return resolve(base, path);
  }
  if (env.DEPLOY_SHARED_DIR) return join(env.DEPLOY_SHARED_DIR, 'app.db');
  return resolve(base, 'data', 'app.db');
}

export function openDatabase(path) {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { timeout: 5_000 });
  // WAL lets blue and green (two processes) read while the other writes.
  db.pragma('journal_mode = WAL');
  return db;
}

/** A tiny handle the HTTP layer uses, so it can report "unreachable" after the connection is gone. */
export function createStore(db) {
  let lost = false;
  return {
    ping() {
      if (lost || !db.open) return false;
      try {
        return db.prepare('SELECT 1 AS ok').get().ok === 1;
      } catch {
        return false;
      }
    },
    listItems() {
      if (lost || !db.open) throw new Error('database unreachable');
      return db.prepare('SELECT id, name, created_at AS createdAt FROM items ORDER BY id').all();
    },
    /** Simulates losing the database (knob dbFailAfterMs): closes the real connection. */
    loseConnection() {
      lost = true;
      if (db.open) db.close();
    },
    close() {
      if (db.open) db.close();
    },
  };
}
