import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createExecutor } from '../../src/exec/executor.js';
import { applySqlite, readAppliedSqlite } from '../../src/checks/migrations/sql-sqlite.js';
import { MigrationError, type MigrationsInput } from '../../src/checks/migrations/types.js';
import { applyMigrations, checkMigrations } from '../../src/checks/migrations/index.js';

// The real sqlite3 shell (Debian's sqlite3 package), as the migrations pre-check runs it.
describe('readAppliedSqlite: what a SQLite database has applied, in one sqlite3 process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shipgate-sqlite-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const executor = createExecutor();

  it('is empty when the file does not exist, or holds no tracking table yet', async () => {
    expect(await readAppliedSqlite(executor, join(dir, 'missing.db'), 'schema_migrations')).toEqual([]);
    const app = join(dir, 'app.db');
    execFileSync('sqlite3', [app, 'CREATE TABLE items (id INTEGER);']);
    expect(await readAppliedSqlite(executor, app, 'schema_migrations')).toEqual([]);
  });

  it('lists the applied migrations with their checksums, in name order', async () => {
    const db = join(dir, 'applied.db');
    await applySqlite(executor, db, 'schema_migrations', [
      { name: '002_b.sql', path: join(dir, '002_b.sql'), sql: 'CREATE TABLE b (id INTEGER)', checksum: 'bbb' },
      { name: '001_a.sql', path: join(dir, '001_a.sql'), sql: 'CREATE TABLE a (id INTEGER)', checksum: 'aaa' },
    ]);
    expect(await readAppliedSqlite(executor, db, 'schema_migrations')).toEqual([
      { name: '001_a.sql', checksum: 'aaa' },
      { name: '002_b.sql', checksum: 'bbb' },
    ]);
  });

  it('says the database is unreachable when the file is not a database', async () => {
    const junk = join(dir, 'junk.db');
    writeFileSync(junk, 'this is not a database, and it is long enough to have a header page'.repeat(20));
    const error = await readAppliedSqlite(executor, junk, 'schema_migrations').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toMatch(/database unreachable \(sqlite .*junk\.db: .*not a database/);
  });
});

// The pre-check's read of the tracking table, passed to the apply step of the same run.
describe('the sql tool on SQLite: an apply step that the pre-check already answered', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shipgate-sqlite-skip-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const input = (executor: ReturnType<typeof createExecutor>, db: string): MigrationsInput => ({
    cwd: dir, mode: 'tool', tool: 'sql', dir: 'migrations', table: 'schema_migrations', database: `sqlite:${db}`, command: null, executor,
  });

  it('starts no sqlite3 when the table the check read holds every file, and applies the rest otherwise', async () => {
    mkdirSync(join(dir, 'migrations'));
    writeFileSync(join(dir, 'migrations', '001_a.sql'), 'CREATE TABLE a (id INTEGER);\n');
    const db = join(dir, 'app.db');
    const first = createExecutor();
    // No table yet: the check says nothing was recorded, and the apply step creates the table and applies.
    const before = await checkMigrations(input(first, db));
    expect(before.recorded).toBeUndefined();
    expect(await applyMigrations({ ...input(first, db) })).toEqual({ tool: 'sql', applied: ['001_a.sql'] });

    const quiet = createExecutor();
    const checked = await checkMigrations(input(quiet, db));
    expect(checked).toMatchObject({ pending: [], recorded: ['001_a.sql'] });
    expect(await applyMigrations({ ...input(quiet, db), recorded: checked.recorded })).toEqual({ tool: 'sql', applied: [] });
    expect(quiet.records.filter((r) => r.command.startsWith('sqlite3'))).toHaveLength(1);

    // A file the check did not see recorded (the release's own folder may have more) is applied as before.
    writeFileSync(join(dir, 'migrations', '002_b.sql'), 'CREATE TABLE b (id INTEGER);\n');
    expect(await applyMigrations({ ...input(quiet, db), recorded: checked.recorded })).toEqual({ tool: 'sql', applied: ['002_b.sql'] });
    expect((await readAppliedSqlite(quiet, db, 'schema_migrations')).map((r) => r.name)).toEqual(['001_a.sql', '002_b.sql']);
  });
});
