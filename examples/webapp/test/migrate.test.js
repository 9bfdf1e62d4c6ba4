import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, resolveDatabasePath } from '../lib/database.js';
import { migrate, pendingMigrations } from '../lib/migrate.js';

test('migrations apply once and are tracked in schema_migrations', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'webapp-migrate-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = openDatabase(join(dir, 'app.db'));
  t.after(() => db.close());
  assert.deepEqual(pendingMigrations(db), ['001_items.sql']);
  assert.deepEqual(migrate(db), ['001_items.sql']);
  assert.deepEqual(migrate(db), []);
  assert.deepEqual(pendingMigrations(db), []);
  assert.equal(db.prepare('SELECT COUNT(*) AS n FROM items').get().n, 3);
});

test('the database path is shared across releases', () => {
  assert.equal(resolveDatabasePath({ DATABASE_URL: 'sqlite:/srv/app.db' }, '/x'), '/srv/app.db');
  assert.equal(resolveDatabasePath({ DATABASE_URL: 'sqlite:data/app.db' }, '/x'), '/x/data/app.db');
  assert.equal(resolveDatabasePath({ DATABASE_URL: 'sqlite:data/app.db', DEPLOY_PROJECT_ROOT: '/p' }, '/p/.deploy/staging/releases/r1'), '/p/data/app.db');
  assert.equal(resolveDatabasePath({ DATABASE_URL: 'sqlite:///srv/app.db' }, '/x'), '/srv/app.db');
  assert.equal(resolveDatabasePath({ DEPLOY_SHARED_DIR: '/p/.deploy/staging/shared' }, '/x'), '/p/.deploy/staging/shared/app.db');
  assert.equal(resolveDatabasePath({}, '/x'), '/x/data/app.db');
  assert.throws(() => resolveDatabasePath({ DATABASE_URL: 'postgres://u:p@h/db' }, '/x'), /SQLite only/);
});
