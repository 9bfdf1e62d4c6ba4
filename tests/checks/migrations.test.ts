import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { createExecutor } from '../../src/exec/executor.js';
import { applyMigrations, checkMigrations, MigrationError, type MigrationsInput } from '../../src/checks/migrations/index.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { knexNodeModules, migrationToolsNodeModules } from './support/knex-install.js';
import { makeProject } from './support/project.js';

const sqlFiles = {
  'migrations/001_users.sql': 'CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL);',
  'migrations/002_items.sql': 'CREATE TABLE items (id serial PRIMARY KEY, name text);\nINSERT INTO items (name) VALUES (\'first\');',
  'migrations/003_orders.sql': 'CREATE TABLE orders (id serial PRIMARY KEY, item_id int REFERENCES items(id));',
};

function input(cwd: string, database: string | null, extra: Partial<MigrationsInput> = {}): MigrationsInput {
  return { cwd, mode: 'auto', tool: null, dir: null, table: null, database, command: null, executor: createExecutor(), ...extra };
}

async function tables(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const rows = await client.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename");
    return rows.rows.map((r) => r.tablename);
  } finally {
    await client.end();
  }
}

// One PostgreSQL cluster for the whole file.
let db: TestPostgres;
beforeAll(async () => {
  db = await startPostgres();
}, 120_000);
afterAll(async () => {
  await db?.stop();
});

describe('migrations on a real PostgreSQL', () => {

  it('plain SQL: reports 3 pending, applies them in order, then reports none', async () => {
    const url = await db.createDatabase('plain_sql');
    const cwd = await makeProject(sqlFiles);
    const before = await checkMigrations(input(cwd, url));
    expect(before.tool).toBe('sql');
    expect(before.result).toEqual({ name: 'Migrations', ok: true, detail: '3 pending, ready to apply: 001_users.sql, 002_items.sql, 003_orders.sql' });
    // The check is read-only: not even the tracking table exists yet.
    expect(await tables(url)).toEqual([]);

    const applied = await applyMigrations(input(cwd, url));
    expect(applied).toEqual({ tool: 'sql', applied: ['001_users.sql', '002_items.sql', '003_orders.sql'] });
    expect(await tables(url)).toEqual(['items', 'orders', 'schema_migrations', 'users']);

    const after = await checkMigrations(input(cwd, url));
    expect(after.result.detail).toBe('up to date');
    expect(after.pending).toEqual([]);
    expect((await applyMigrations(input(cwd, url))).applied).toEqual([]);
  });

  it('plain SQL: a failing migration is rolled back whole and the earlier ones stay applied', async () => {
    const url = await db.createDatabase('broken_sql');
    const cwd = await makeProject({
      'db/001_ok.sql': 'CREATE TABLE good (id int);',
      'db/002_broken.sql': 'CREATE TABLE half (id int);\nSELECT * FROM no_such_table;',
    });
    const error = await applyMigrations(input(cwd, url, { dir: 'db', table: 'applied_sql' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).message).toMatch(/^migration 002_broken\.sql failed and was rolled back: relation "no_such_table" does not exist/);
    expect((error as MigrationError).applied).toEqual(['001_ok.sql']);
    expect(await tables(url)).toEqual(['applied_sql', 'good']);
    const status = await checkMigrations(input(cwd, url, { dir: 'db', table: 'applied_sql' }));
    expect(status.pending).toEqual(['002_broken.sql']);
  });

  it('fails with exit 3 when the database is unreachable, without printing the password', async () => {
    const cwd = await makeProject(sqlFiles);
    const secretUrl = 'postgres://app:Sup3rSecretPw@127.0.0.1:1/app';
    const check = await checkMigrations(input(cwd, secretUrl));
    expect(check.result).toMatchObject({ ok: false, exitCode: 3 });
    expect(check.result.detail).toMatch(/^database unreachable \(postgres 127\.0\.0\.1:1\/app: ECONNREFUSED\)$/);
    expect(JSON.stringify(check)).not.toContain('Sup3rSecretPw');
  });

  it('knex: the project\'s own CLI reports 3 pending, applies them, then none', async (ctx) => {
    const modules = await knexNodeModules();
    if (!modules) ctx.skip();
    const url = await db.createDatabase('knex_app');
    const migration = (table: string) =>
      `exports.up = (knex) => knex.schema.createTable('${table}', (t) => { t.increments('id'); });\nexports.down = (knex) => knex.schema.dropTable('${table}');\n`;
    const cwd = await makeProject({
      'package.json': JSON.stringify({ name: 'knex-app', private: true }),
      'knexfile.js': "module.exports = { client: 'pg', connection: process.env.DATABASE_URL, migrations: { directory: './migrations' } };\n",
      'migrations/20240101_users.js': migration('users'),
      'migrations/20240102_items.js': migration('items'),
      'migrations/20240103_orders.js': migration('orders'),
    });
    await symlink(modules!, join(cwd, 'node_modules'), 'dir');
    const env = { DATABASE_URL: url };
    const before = await checkMigrations(input(cwd, url, { env }));
    expect(before.tool).toBe('knex');
    expect(before.result.detail).toBe('3 pending, ready to apply: 20240101_users.js, 20240102_items.js, 20240103_orders.js');
    const applied = await applyMigrations(input(cwd, url, { env }));
    expect(applied.applied).toEqual(['20240101_users.js', '20240102_items.js', '20240103_orders.js']);
    expect(await tables(url)).toEqual(expect.arrayContaining(['users', 'items', 'orders', 'knex_migrations']));
    expect((await checkMigrations(input(cwd, url, { env }))).result.detail).toBe('up to date');
  });
});

describe('expand/contract for the ORMs, from the SQL they would run (real PostgreSQL)', () => {
  let modules: string;
  beforeAll(async () => {
    modules = await migrationToolsNodeModules();
  }, 300_000);
  const live = { liveRelease: true, allowContract: false };

  it('knex: a rolled-back trial run gives each pending migration\'s SQL; DROP COLUMN is refused with exit 3, nothing is left behind', async () => {
    const url = await db.createDatabase('knex_classify');
    const cwd = await makeProject({
      'knexfile.js': "module.exports = { client: 'pg', connection: process.env.DATABASE_URL, migrations: { directory: './migrations' } };\n",
      'migrations/20240101_users.js': "exports.up = (knex) => knex.schema.createTable('users', (t) => { t.increments('id'); t.text('email'); });\nexports.down = () => undefined;\n",
      'migrations/20240102_plan.js': "exports.up = (knex) => knex.schema.alterTable('users', (t) => { t.text('plan').notNullable().defaultTo('free'); });\nexports.down = () => undefined;\n",
      'migrations/20240103_drop.js': "exports.up = (knex) => knex.schema.alterTable('users', (t) => { t.dropColumn('email'); });\nexports.down = () => undefined;\n",
      'migrations/20240104_index.js': "exports.config = { transaction: false };\nexports.up = (knex) => knex.raw('CREATE INDEX CONCURRENTLY users_plan ON users (plan)');\nexports.down = () => undefined;\n",
    });
    await symlink(modules, join(cwd, 'node_modules'), 'dir');
    const checked = await checkMigrations(input(cwd, url, { env: { DATABASE_URL: url } }), live);
    expect(checked.report?.files).toEqual([
      { name: '20240101_users.js', state: 'pending', kind: 'expand' },
      { name: '20240102_plan.js', state: 'pending', kind: 'expand' },
      { name: '20240103_drop.js', state: 'pending', kind: 'contract', statement: 'alter table "users" drop column "email"', reason: 'drops column users.email' },
      { name: '20240104_index.js', state: 'pending', kind: 'unclassified', reason: 'it runs outside a transaction, so it cannot be tried and rolled back' },
    ]);
    expect(checked.result).toMatchObject({ ok: false, exitCode: 3 });
    expect(checked.result.detail).toMatch(/^contract migration 20240103_drop\.js: `alter table "users" drop column "email"` drops column users\.email, which breaks the live release/);
    // The trial was rolled back: only the tracking tables that `knex migrate:list` itself creates are there.
    expect(await tables(url)).toEqual(['knex_migrations', 'knex_migrations_lock']);
  }, 120_000);

  it('node-pg-migrate: --dry-run\'s SQL; ADD COLUMN with a default passes, DROP COLUMN is refused, --allow-contract makes it a warning', async () => {
    const url = await db.createDatabase('npm_classify');
    const files = {
      'package.json': JSON.stringify({ name: 'npm-app', private: true, dependencies: { 'node-pg-migrate': '^9' } }),
      'migrations/1700000000000_users.js': "exports.up = (pgm) => { pgm.createTable('users', { id: 'id', email: 'text' }); };\n",
      'migrations/1700000000001_plan.js': "exports.up = (pgm) => { pgm.addColumns('users', { plan: { type: 'text', notNull: true, default: 'free' } }); };\n",
    };
    const cwd = await makeProject(files);
    await symlink(modules, join(cwd, 'node_modules'), 'dir');
    const expand = await checkMigrations(input(cwd, url), live);
    expect(expand.result).toEqual({ name: 'Migrations', ok: true, detail: '2 pending, ready to apply: 1700000000000_users, 1700000000001_plan' });
    expect(expand.report?.files?.map((f) => f.kind)).toEqual(['expand', 'expand']);

    const drop = await makeProject({ ...files, 'migrations/1700000000002_drop.js': "exports.up = (pgm) => { pgm.dropColumns('users', ['email']); };\n" });
    await symlink(modules, join(drop, 'node_modules'), 'dir');
    const refused = await checkMigrations(input(drop, url), live);
    expect(refused.result).toMatchObject({ ok: false, exitCode: 3 });
    expect(refused.report?.files?.[2]).toEqual({ name: '1700000000002_drop', state: 'pending', kind: 'contract', statement: 'ALTER TABLE "users" DROP "email"', reason: 'drops column users.email' });
    const allowed = await checkMigrations(input(drop, url), { liveRelease: true, allowContract: true });
    expect(allowed.result).toMatchObject({ ok: true, warning: true, detail: expect.stringMatching(/contract allowed \(--allow-contract\): 1700000000002_drop$/) });
    // Without a live release (a first deploy) there is nothing to break.
    expect((await checkMigrations(input(drop, url))).result.ok).toBe(true);
    // --dry-run applied nothing; its tracking table is node-pg-migrate's own doing.
    expect(await tables(url)).toEqual(['pgmigrations']);
  }, 120_000);
});

describe('migrations on SQLite (sqlite3 shell)', () => {
  it('reports 3 pending, applies them, then none; a broken one rolls back', async () => {
    const cwd = await makeProject({ ...sqlFiles, 'migrations/003_orders.sql': 'CREATE TABLE orders (id integer PRIMARY KEY, item_id int);' });
    const database = 'sqlite:data/app.db';
    await makeDir(join(cwd, 'data'));
    const before = await checkMigrations(input(cwd, database));
    expect(before.result.detail).toBe('3 pending, ready to apply: 001_users.sql, 002_items.sql, 003_orders.sql');
    expect((await applyMigrations(input(cwd, database))).applied).toEqual(['001_users.sql', '002_items.sql', '003_orders.sql']);
    expect((await checkMigrations(input(cwd, database))).result.detail).toBe('up to date');

    const broken = await makeProject({ 'migrations/001_a.sql': 'CREATE TABLE a (id int);', 'migrations/002_b.sql': 'CREATE TABLE b (id int);\nINSERT INTO nope VALUES (1);' });
    const dbFile = join(broken, 'app.sqlite');
    const error = await applyMigrations(input(broken, dbFile)).catch((e: unknown) => e);
    expect((error as MigrationError).message).toMatch(/^migration 002_b\.sql failed and was rolled back: .*no such table: nope/);
    expect((error as MigrationError).applied).toEqual(['001_a.sql']);
    const executor = createExecutor();
    const listing = await executor.run({ file: 'sqlite3', args: [dbFile, ".tables"], mutates: false });
    expect(listing.stdout.split(/\s+/).filter(Boolean).sort()).toEqual(['a', 'schema_migrations']);
  });
});

describe('migration tool detection', () => {
  it('finds nothing in an empty project and honours migrations: none', async () => {
    const cwd = await makeProject({ 'package.json': '{}' });
    expect((await checkMigrations(input(cwd, null))).result).toEqual({ name: 'Migrations', ok: true, detail: 'none detected' });
    const withSql = await makeProject(sqlFiles);
    expect((await checkMigrations(input(withSql, null, { mode: 'none' }))).result.detail).toBe('skipped (migrations: none)');
  });

  it('asks for a database URL when SQL migrations exist but none is configured', async () => {
    const cwd = await makeProject(sqlFiles);
    const check = await checkMigrations(input(cwd, null));
    expect(check.result).toMatchObject({ ok: false, exitCode: 3, detail: 'no database URL for migrations (set migrations.database or verify.database)' });
  });

  it('detects prisma, drizzle, knex, node-pg-migrate and umzug projects', async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ 'prisma/schema.prisma': 'datasource db { provider = "postgresql" }' }, 'prisma'],
      [{ 'drizzle.config.ts': 'export default {}' }, 'drizzle'],
      [{ 'knexfile.cjs': 'module.exports = {}' }, 'knex'],
      [{ 'package.json': JSON.stringify({ dependencies: { 'node-pg-migrate': '^7' } }) }, 'node-pg-migrate'],
      [{ 'package.json': JSON.stringify({ dependencies: { umzug: '^3' } }) }, 'umzug'],
    ];
    for (const [files, tool] of cases) {
      const check = await checkMigrations(input(await makeProject(files), 'postgres://x@127.0.0.1:1/x'));
      expect(check.tool).toBe(tool);
    }
  });

  it('reports clearly when a tool CLI is not installed or cannot list pending migrations', async () => {
    const knex = await checkMigrations(input(await makeProject({ 'knexfile.js': 'module.exports = {}' }), null));
    expect(knex.result).toMatchObject({ ok: false, exitCode: 3, detail: "knex CLI not found in node_modules/.bin (install the project's dependencies first)" });
    const umzug = await checkMigrations(input(await makeProject({ 'package.json': JSON.stringify({ dependencies: { umzug: '^3' } }) }), null));
    expect(umzug.result.detail).toMatch(/^umzug has no standard CLI: set migrations.command/);
    const withCommand = await checkMigrations(input(await makeProject({ 'package.json': JSON.stringify({ dependencies: { umzug: '^3' } }) }), null, { command: 'node migrate.js' }));
    expect(withCommand.result).toMatchObject({ ok: true, warning: true });
  });
});

async function makeDir(path: string): Promise<void> {
  const { mkdir } = await import('node:fs/promises');
  await mkdir(path, { recursive: true });
}
