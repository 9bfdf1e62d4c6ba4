import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { CLI, ensureBuilt } from '../setup/build.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { makeProject, pkg } from './support/project.js';

const run = promisify(execFile);
const SECRET = 'cli-planted-secret-5b8e0f3a9d';

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(cwd: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function project(databaseUrl: string): Promise<string> {
  const root = await makeProject({
    'package.json': pkg({ test: 'node --test test/' }, { version: '2.0.0' }),
    'test/a.test.mjs': "import test from 'node:test';\ntest('one', () => {});\ntest('two', () => {});\n",
    'migrations/001_users.sql': 'CREATE TABLE users (id int);',
    'migrations/002_items.sql': 'CREATE TABLE items (id int);',
    'migrations/003_orders.sql': 'CREATE TABLE orders (id int);',
    '.env.staging': `SESSION_SECRET=${SECRET}\nDATABASE_URL=${databaseUrl}\n`,
    '.gitignore': '.env.*\n',
    'deploy.config.yaml': [
      'app: clitest',
      'platform: local',
      'start: node server.js',
      'env:',
      '  required: [DATABASE_URL, { name: SESSION_SECRET, minLength: 64 }]',
      '  files: [".env.${environment}"]',
      'verify:',
      '  database: ${DATABASE_URL}',
      'environments:',
      '  staging: { port: 4999 }',
      '',
    ].join('\n'),
  });
  const git = (...args: string[]) => run('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: root });
  await git('init', '-q');
  await git('add', '.');
  await git('commit', '-q', '-m', 'init');
  return root;
}

async function publicTables(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname='public'")).rows.map((r) => r.tablename);
  } finally {
    await client.end();
  }
}

describe('deploy CLI with the real pre-checks', () => {
  let db: TestPostgres;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    await ensureBuilt();
    db = await startPostgres();
  }, 300_000);
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await db?.stop();
  });

  it('deploy staging --dry-run lists every pre-check with its figure, exits 3, changes nothing and never prints the secret', async () => {
    const url = await db.createDatabase('cli_dry_run');
    const root = await project(url);
    const before = (await readdir(root)).sort();

    const json = await cli(root, ['staging', '--dry-run', '--json']);
    expect(json.code).toBe(3);
    const summary = JSON.parse(json.stdout);
    expect(summary).toMatchObject({ status: 'blocked', dryRun: true, exitCode: 3 });
    expect(summary.checks.pre).toEqual([
      { name: 'Tests', ok: true, detail: '2/2 passing' },
      { name: 'Migrations', ok: true, detail: '3 pending, ready to apply: 001_users.sql, 002_items.sql, 003_orders.sql' },
      { name: 'Env Vars', ok: false, detail: 'invalid SESSION_SECRET (shorter than 64 characters)', exitCode: 3 },
      { name: 'Git', ok: true, detail: expect.stringMatching(/^commit [0-9a-f]{7}, clean$/) },
      { name: 'Rollback Plan', ok: true, detail: 'would be written to .deploy/staging/rollback-plan.md (dry run)' },
      // The local platform's own check, after the bundle's.
      { name: 'Data Loss', ok: true, detail: 'first deploy: no live release to compare' },
    ]);

    const human = await cli(root, ['staging', '--dry-run']);
    expect(human.code).toBe(3);
    expect(human.stdout + human.stderr).toContain('Migrations: 3 pending, ready to apply');

    // Nothing changed: same files, no .deploy, no table in the database, and the secret printed nowhere.
    expect((await readdir(root)).sort()).toEqual(before);
    await expect(stat(join(root, '.deploy'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await publicTables(url)).toEqual([]);
    for (const out of [json.stdout, json.stderr, human.stdout, human.stderr]) expect(out).not.toContain(SECRET);
  });

  it('a held lock gives exit 5 naming the holder; deploy unlock releases it', async () => {
    const url = await db.createDatabase('cli_lock');
    const root = await project(url);
    const viteNode = join(process.cwd(), 'node_modules/.bin/vite-node');
    const holder = spawn(viteNode, [join(process.cwd(), 'tests/lock/fixtures/hold-lock.ts'), join(root, '.deploy', 'staging'), 'staging'], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(holder);
    await new Promise<void>((resolve, reject) => {
      holder.stdout!.on('data', (chunk) => String(chunk).includes('acquired') && resolve());
      holder.once('exit', (code) => reject(new Error(`holder exited ${code}`)));
    });
    const locked = await cli(root, ['staging', '--yes', '--json']);
    expect(locked.code).toBe(5);
    expect(locked.stdout + locked.stderr).toContain(`pid ${holder.pid}`);
    expect(await publicTables(url)).toEqual([]);

    const unlocked = await cli(root, ['unlock', 'staging']);
    expect(unlocked.code).toBe(0);
    await expect(stat(join(root, '.deploy/staging/lock'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
