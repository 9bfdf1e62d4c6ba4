import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { DeploySummary } from '../../src/contracts/summary.js';
import { freePort } from '../helpers/free-port.js';
import { ensureBuilt } from '../setup/build.js';
import { runCli } from '../cli/helpers.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { migrationToolsNodeModules } from './support/knex-install.js';

const TINY_APP = new URL('../platforms/local/fixtures/tiny-app.mjs', import.meta.url).pathname;
const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd, encoding: 'utf8' });

/** The dependency-free tiny app deployed to `staging` on the local platform, its migrations on the real PostgreSQL. */
async function project(database: string, migrations: string, files: Record<string, string>): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'shipgate-mig-'));
  copyFileSync(TINY_APP, join(dir, 'server.mjs'));
  const port = await freePort();
  const lines = ['app: tiny', 'platform: local', 'start: node server.mjs', 'health: { path: /, interval: 50ms, timeout: 10s }', 'tests: false'];
  lines.push(`migrations: ${migrations.replace('DB', database)}`, 'verify: { smoke: ["GET /"], window: 300ms, minRequests: 0 }', 'keepWarm: 10m', 'drainTimeout: 500ms', `environments: { staging: { port: ${port} } }`, '');
  writeFileSync(join(dir, 'deploy.config.yaml'), lines.join('\n'));
  writeFileSync(join(dir, '.gitignore'), '.deploy/\nnode_modules\n');
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  git(dir, 'init', '-q');
  commit(dir, 'init');
  return dir;
}

function commit(dir: string, message: string): void {
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', message);
}

async function deploy(dir: string, ...args: string[]): Promise<{ code: number | null; summary: DeploySummary & { text?: string }; stderr: string }> {
  const run = await runCli(['staging', '--yes', '--json', ...args], { cwd: dir });
  return { code: run.code, summary: JSON.parse(run.stdout) as DeploySummary, stderr: run.stderr };
}

async function columns(url: string, table: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const rows = await client.query<{ column_name: string }>('SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position', [table]);
    return rows.rows.map((r) => r.column_name);
  } finally {
    await client.end();
  }
}

// The three cases run side by side, each with its own database, project and port (a deploy mostly waits on its
// processes); generous bounds for a loaded 2-core machine.
describe('migrations in a real deploy (local platform, PostgreSQL 15)', { concurrent: true }, () => {
  let db: TestPostgres;
  let modules: string;
  const deployed: string[] = [];
  beforeAll(async () => {
    [db, modules] = await Promise.all([startPostgres(), migrationToolsNodeModules(), ensureBuilt()]).then(([d, m]) => [d, m] as const);
  }, 300_000);
  afterAll(async () => {
    for (const dir of deployed) expect((await runCli(['stop', 'staging', '--yes'], { cwd: dir })).code).toBe(0);
    await db?.stop();
  });

  it('plain SQL: DROP COLUMN is refused with exit 3 and the recipe while blue serves; ADD COLUMN with a default passes; --allow-contract lets it through; a failing file shows PostgreSQL\'s error', async () => {
    const url = await db.createDatabase('plain_deploys');
    const dir = await project(url, '{ tool: sql, database: "DB" }', { 'migrations/001_users.sql': 'CREATE TABLE users (id serial PRIMARY KEY, email text);' });
    deployed.push(dir);
    const first = await deploy(dir);
    expect(first.code, first.stderr).toBe(0);
    expect(first.summary.migrations).toEqual({ tool: 'sql', files: [{ name: '001_users.sql', state: 'applied', kind: 'expand' }], rollbackSchemaSafe: true });

    // Blue (the first release) serves now: a contract migration would break it, and any rollback to it.
    writeFileSync(join(dir, 'migrations/002_plan.sql'), "ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT 'free';");
    writeFileSync(join(dir, 'migrations/003_drop_email.sql'), 'ALTER TABLE users DROP COLUMN email;');
    commit(dir, 'plan, drop email');
    const refused = await deploy(dir);
    expect(refused.code).toBe(3);
    expect(refused.summary.status).toBe('blocked');
    const check = refused.summary.checks.pre.find((c) => c.name === 'Migrations')!;
    expect(check).toMatchObject({ ok: false, exitCode: 3 });
    expect(check.detail).toContain('contract migration 003_drop_email.sql: `ALTER TABLE users DROP COLUMN email` drops column users.email');
    expect(check.detail).toContain('add the new column or table, backfill it and switch the code in this release; drop the old one in a later release');
    expect(check.detail).toContain('--allow-contract');
    expect(refused.summary.migrations?.files).toEqual([
      { name: '002_plan.sql', state: 'pending', kind: 'expand' },
      { name: '003_drop_email.sql', state: 'pending', kind: 'contract', statement: 'ALTER TABLE users DROP COLUMN email', reason: 'drops column users.email' },
    ]);
    expect(await columns(url, 'users')).toEqual(['id', 'email']);

    const allowed = await runCli(['staging', '--dry-run', '--json', '--allow-contract'], { cwd: dir });
    expect(allowed.code, allowed.stderr).toBe(0);
    const allowedCheck = (JSON.parse(allowed.stdout) as DeploySummary).checks.pre.find((c) => c.name === 'Migrations');
    expect(allowedCheck).toMatchObject({ ok: true, warning: true });
    expect(allowedCheck!.detail).toMatch(/contract allowed \(--allow-contract\): 003_drop_email\.sql$/);

    // The expand half alone deploys.
    unlinkSync(join(dir, 'migrations/003_drop_email.sql'));
    commit(dir, 'keep email for now');
    const expand = await deploy(dir);
    expect(expand.code, expand.stderr).toBe(0);
    expect(expand.summary.migrations).toMatchObject({ files: [{ name: '002_plan.sql', state: 'applied', kind: 'expand' }], rollbackSchemaSafe: true });
    expect(await columns(url, 'users')).toEqual(['id', 'email', 'plan']);
    const rollbackPlan = JSON.parse(readFileSync(join(dir, '.deploy/staging/rollback-plan.json'), 'utf8'));
    expect(rollbackPlan.migrations).toMatchObject({ willApply: ['002_plan.sql'], applied: ['002_plan.sql'], schemaSafe: true });

    writeFileSync(join(dir, 'migrations/004_ok.sql'), 'ALTER TABLE users ADD COLUMN nickname text;');
    writeFileSync(join(dir, 'migrations/005_bad.sql'), "UPDATE users\nSET nope = 1\nWHERE plan = 'free';");
    commit(dir, 'a bad backfill');
    const failed = await deploy(dir, '--text');
    expect(failed.code).toBe(1);
    expect(failed.summary.checks.post).toEqual([]);
    expect(failed.summary.migrations).toEqual({
      tool: 'sql',
      files: [
        { name: '004_ok.sql', state: 'applied', kind: 'expand' },
        { name: '005_bad.sql', state: 'failed', kind: 'expand' },
      ],
      errors: ['ERROR: column "nope" of relation "users" does not exist', 'LINE 2: SET nope = 1'],
      rollbackSchemaSafe: true,
    });
    expect(failed.summary.message).toMatch(/was never started, \S+ still serves$/);
    expect(failed.summary.message).not.toContain('stopped before it got traffic');
    expect(failed.summary.text).toContain('Migrations (sql): applied 004_ok.sql (expand), failed 005_bad.sql (expand); ERROR: column "nope" of relation "users" does not exist; rollback schema-safe (all expand)');
  }, 300_000);

  it.each([
    ['knex', { 'knexfile.js': "module.exports = { client: 'pg', connection: process.env.DATABASE_URL, migrations: { directory: './migrations' } };\n", 'migrations/20240101_users.js': "exports.up = (knex) => knex.schema.createTable('users', (t) => { t.increments('id'); });\nexports.down = () => undefined;\n", 'migrations/20240102_bad.js': "exports.up = (knex) => knex.raw('UPDATE users SET nope = 1');\nexports.down = () => undefined;\n" }, '20240102_bad.js'],
    ['node-pg-migrate', { 'package.json': JSON.stringify({ name: 'npm-app', private: true, dependencies: { 'node-pg-migrate': '^9' } }), 'migrations/1700000000000_users.js': "exports.up = (pgm) => { pgm.createTable('users', { id: 'id' }); };\n", 'migrations/1700000000001_bad.js': "exports.up = (pgm) => { pgm.sql('UPDATE users SET nope = 1'); };\n" }, '1700000000001_bad'],
  ] as const)('%s: a failing migration shows PostgreSQL\'s error line in the Migrations section, not as a post-deployment check', async (tool, files, bad) => {
    const url = await db.createDatabase(`${tool.replace(/-/g, '_')}_fails`);
    const dir = await project(url, `{ tool: ${tool}, database: "DB" }`, files);
    // A failed first deploy leaves the environment's router and runtime up (they own its port): stopped in afterAll.
    deployed.push(dir);
    symlinkSync(modules, join(dir, 'node_modules'), 'dir');
    const failed = await deploy(dir);
    expect(failed.code, failed.stderr).toBe(1);
    expect(failed.summary.checks.post).toEqual([]);
    expect(failed.summary.migrations?.tool).toBe(tool);
    expect(failed.summary.migrations?.files?.find((f) => f.name === bad)).toMatchObject({ state: 'failed' });
    expect(failed.summary.migrations?.errors?.[0]).toBe('ERROR: column "nope" of relation "users" does not exist');
    expect(failed.summary.message).toContain('column "nope" of relation "users" does not exist');
    expect(failed.summary.message).toContain('was never started');
  }, 300_000);
});
