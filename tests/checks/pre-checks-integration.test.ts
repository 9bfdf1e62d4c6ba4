import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { resolveEnvironment } from '../../src/config/index.js';
import { loadRecipes } from '../../src/bundle/load.js';
import { buildPlan, type DeployPlan } from '../../src/orchestrator/plan.js';
import { runPlan } from '../../src/orchestrator/run.js';
import type { PlatformDriver } from '../../src/orchestrator/types.js';
import { applyPendingMigrations, buildPreChecks, preCheckOutputs } from '../../src/checks/index.js';
import { PRE_CHECKS } from '../../src/checks/registry.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { makeProject, pkg } from './support/project.js';

const run = promisify(execFile);
const SECRET = 'zz-planted-secret-7c41d9e0b2aa';

async function project(databaseUrl: string, discount: number): Promise<string> {
  const root = await makeProject(
    {
      // node:test keeps this file fast; the vitest paths are covered in tests-passing.test.ts.
      'package.json': pkg({ test: 'node --test test/' }, { version: '1.4.0' }),
      'test/cart.test.mjs': `import test from 'node:test';\nimport assert from 'node:assert';\ntest('adds', () => assert.equal(1 + 1, 2));\ntest('applies discount', () => assert.equal(10 * 0.9, ${discount}));\n`,
      'migrations/001_users.sql': 'CREATE TABLE users (id serial PRIMARY KEY);',
      'migrations/002_items.sql': 'CREATE TABLE items (id serial PRIMARY KEY);',
      'migrations/003_orders.sql': 'CREATE TABLE orders (id serial PRIMARY KEY);',
      '.env.staging': `SESSION_SECRET=${SECRET}\nDATABASE_URL=${databaseUrl}\n`,
      '.gitignore': 'node_modules\n.env.*\n',
      'deploy.config.yaml': [
        'app: shop',
        'platform: local',
        'start: node server.js',
        'env:',
        '  required: [DATABASE_URL, SESSION_SECRET, STRIPE_KEY]',
        '  files: [".env.${environment}"]',
        'verify:',
        '  database: ${DATABASE_URL}',
        'environments:',
        '  staging: { port: 4001 }',
        '  production: { port: 4000, requires: staging }',
        '',
      ].join('\n'),
    },
    { linkNodeModules: true },
  );
  const git = (...args: string[]) => run('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: root });
  await git('init', '-q');
  await git('add', '.');
  await git('commit', '-q', '-m', 'init');
  return root;
}

async function planFor(root: string, environment: string, dryRun: boolean): Promise<DeployPlan> {
  const config = await resolveEnvironment(root, environment, { env: {} });
  return buildPlan({
    kind: 'deploy',
    config,
    recipes: await loadRecipes(),
    dryRun,
    toolVersion: '0.0.0-test',
    now: new Date(),
    options: { ref: null, to: null, yes: true, forceUnverified: false, reason: null, allowDirty: false, lockWaitMs: 0, verbose: false },
  });
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

const untouchable: PlatformDriver = {
  name: 'untouchable',
  deploy: () => Promise.reject(new Error('the driver must not run when a pre-check fails')),
  rollback: () => Promise.reject(new Error('no rollback expected')),
  status: () => Promise.reject(new Error('no status expected')),
  stop: () => Promise.reject(new Error('no stop expected')),
};

describe('pre-checks wired into the orchestrator run', () => {
  let db: TestPostgres;
  beforeAll(async () => {
    db = await startPostgres();
  });
  afterAll(async () => {
    await db?.stop();
  });

  it('--dry-run shows every pre-check with its figure and changes nothing', async () => {
    const url = await db.createDatabase('dry_run');
    const root = await project(url, 8);
    const plan = await planFor(root, 'staging', true);
    const events: string[] = [];
    const summary = await runPlan(plan, { emit: (e) => events.push(e.message), signal: new AbortController().signal });

    const byName = Object.fromEntries(summary.checks.pre.map((c) => [c.name, c]));
    // The registry's checks (staging has no requires:, the project no pre-deploy hook), then the platform's own (the local platform's Data Loss check).
    expect(Object.keys(byName)).toEqual([...PRE_CHECKS.filter((c) => c.build && c.name !== 'gate' && c.name !== 'hooks').map((c) => c.title), 'Data Loss']);
    expect(Object.keys(byName)).toEqual(expect.arrayContaining(['Tests', 'Migrations', 'Env Vars', 'Git', 'Rollback Plan']));
    expect(byName['Data Loss']).toMatchObject({ ok: true, detail: 'first deploy: no live release to compare' });
    expect(byName.Tests).toMatchObject({ ok: false, detail: '1/2 failing: applies discount', exitCode: 3 });
    expect(byName.Migrations).toMatchObject({ ok: true, detail: '3 pending, ready to apply: 001_users.sql, 002_items.sql, 003_orders.sql' });
    expect(byName['Env Vars']).toMatchObject({ ok: false, detail: 'missing STRIPE_KEY', exitCode: 3 });
    expect(byName.Git.detail).toMatch(/^commit [0-9a-f]{7}, clean$/);
    expect(byName['Rollback Plan'].detail).toBe('would be written to .deploy/staging/rollback-plan.md (dry run)');
    expect(summary).toMatchObject({ status: 'blocked', exitCode: 3, dryRun: true });

    // Nothing changed: no state directory, no migration applied, and the secret appears nowhere.
    await expect(stat(join(root, '.deploy'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await publicTables(url)).toEqual([]);
    expect(JSON.stringify(summary) + events.join('\n')).not.toContain(SECRET);
  });

  it('a real run with a failing check is blocked before the driver, writes the plan and history, never the secret', async () => {
    const url = await db.createDatabase('blocked_run');
    const root = await project(url, 8);
    const plan = await planFor(root, 'staging', false);
    const summary = await runPlan(plan, { emit: () => undefined, signal: new AbortController().signal, loadDriver: async () => untouchable });
    expect(summary).toMatchObject({ status: 'blocked', exitCode: 3 });
    expect(await publicTables(url)).toEqual([]);
    const plan_ = JSON.parse(await readFile(join(root, '.deploy/staging/rollback-plan.json'), 'utf8'));
    expect(plan_.migrations.willApply).toEqual(['001_users.sql', '002_items.sql', '003_orders.sql']);
    expect(plan_.command).toBeNull();
    // The lock was released.
    expect(await readdir(join(root, '.deploy/staging'))).not.toContain('lock');
    let everything = JSON.stringify(summary);
    for (const entry of await readdir(join(root, '.deploy'), { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) everything += await readFile(join(entry.parentPath, entry.name), 'utf8');
    }
    expect(everything).toContain('missing STRIPE_KEY');
    expect(everything).not.toContain(SECRET);
  });

  it('passes on a healthy project and hands the driver the env values and pending migrations; production is gated', async () => {
    const url = await db.createDatabase('healthy');
    const root = await project(url, 9);
    const config = await resolveEnvironment(root, 'staging', { env: { STRIPE_KEY: 'sk_test_abcdef123456' } });
    const plan = buildPlan({
      kind: 'deploy',
      config,
      recipes: await loadRecipes(),
      dryRun: true,
      toolVersion: '0.0.0-test',
      now: new Date(),
      options: { ref: null, to: null, yes: true, forceUnverified: false, reason: null, allowDirty: false, lockWaitMs: 0, verbose: false },
    });
    const summary = await runPlan(plan, { emit: () => undefined, signal: new AbortController().signal });
    expect(summary.checks.pre.every((c) => c.ok)).toBe(true);
    expect(summary.checks.pre.find((c) => c.name === 'Tests')?.detail).toBe('2/2 passing');
    const outputs = preCheckOutputs(plan);
    expect(outputs.envValues).toEqual({ DATABASE_URL: url, SESSION_SECRET: SECRET, STRIPE_KEY: 'sk_test_abcdef123456' });
    expect((await outputs.migrations)?.pending).toHaveLength(3);

    const production = await planFor(root, 'production', true);
    const names = (await buildPreChecks(production)).map((c) => c.name);
    expect(names).toContain('Staging Verified');
    const prodSummary = await runPlan(production, { emit: () => undefined, signal: new AbortController().signal });
    const gate = prodSummary.checks.pre.find((c) => c.name === 'Staging Verified');
    expect(gate).toMatchObject({ ok: false, exitCode: 3 });
    expect(gate?.detail).toMatch(/^commit [0-9a-f]{7} was never deployed to staging/);
  });

  it('the driver applies the pending migrations after the checks; the rollback plan records them', async () => {
    const url = await db.createDatabase('applied_run');
    const root = await project(url, 9);
    const config = await resolveEnvironment(root, 'staging', { env: { STRIPE_KEY: 'sk_test_abcdef123456' } });
    const plan = buildPlan({
      kind: 'deploy',
      config,
      recipes: await loadRecipes(),
      dryRun: false,
      toolVersion: '0.0.0-test',
      now: new Date(),
      options: { ref: null, to: null, yes: true, forceUnverified: false, reason: null, allowDirty: false, lockWaitMs: 0, verbose: false },
    });
    let tablesWhenDriverStarted: string[] = [];
    const driver: PlatformDriver = {
      ...untouchable,
      async deploy(ctx) {
        tablesWhenDriverStarted = await publicTables(url);
        const { applied } = await applyPendingMigrations(ctx, { nextReleaseId: 'r-20261127-1' });
        return {
          status: 'success',
          release: { id: 'r-20261127-1', version: '1.4.0', commit: null },
          previousRelease: null,
          post: [],
          rollback: { performed: false, reason: null },
          message: `applied ${applied.length}`,
          rollbackPlanPath: preCheckOutputs(ctx.plan).rollbackPlan?.markdownPath,
        };
      },
    };
    const summary = await runPlan(plan, { emit: () => undefined, signal: new AbortController().signal, loadDriver: async () => driver });
    expect(summary.checks.pre.every((c) => c.ok)).toBe(true);
    expect(tablesWhenDriverStarted).toEqual([]);
    expect((await publicTables(url)).sort()).toEqual(['items', 'orders', 'schema_migrations', 'users']);
    const written = JSON.parse(await readFile(join(root, '.deploy/staging/rollback-plan.json'), 'utf8'));
    expect(written.migrations).toMatchObject({ applied: ['001_users.sql', '002_items.sql', '003_orders.sql'], revertedAutomatically: false });
    expect(written.next.id).toBe('r-20261127-1');
    expect(await readFile(join(root, '.deploy/staging/rollback-plan.md'), 'utf8')).toContain('Applied by this deploy: 001_users.sql, 002_items.sql, 003_orders.sql.');
  });

  it('a failing pre-deploy hook blocks the run with exit 3; under --dry-run it is not run', async () => {
    const root = await project('postgres://unused@127.0.0.1:1/x', 9);
    const { mkdir, writeFile, chmod } = await import('node:fs/promises');
    await mkdir(join(root, '.deploy/hooks'), { recursive: true });
    await writeFile(join(root, '.deploy/hooks/pre-deploy'), '#!/bin/sh\necho "release $DEPLOY_VERSION blocked by change freeze" >&2\nexit 1\n');
    await chmod(join(root, '.deploy/hooks/pre-deploy'), 0o755);
    for (const dryRun of [false, true]) {
      const plan = await planFor(root, 'staging', dryRun);
      plan.preChecks = ['hooks'];
      const summary = await runPlan(plan, { emit: () => undefined, signal: new AbortController().signal, loadDriver: async () => untouchable });
      const hook = summary.checks.pre.find((c) => c.name === 'Pre-deploy Hook');
      if (dryRun) {
        expect(hook).toEqual({ name: 'Pre-deploy Hook', ok: true, detail: 'would run (dry run)' });
      } else {
        expect(hook).toEqual({ name: 'Pre-deploy Hook', ok: false, detail: 'failed (exit 1): release 1.4.0 blocked by change freeze', exitCode: 3 });
        expect(summary).toMatchObject({ status: 'blocked', exitCode: 3 });
      }
    }
  });

  it('an abort (Ctrl-C) during a long test run ends the run at once and releases the lock', async () => {
    const root = await project('postgres://unused@127.0.0.1:1/x', 9);
    const plan = await planFor(root, 'staging', false);
    plan.preChecks = ['tests'];
    plan.config.tests.command = 'sleep 40';
    const controller = new AbortController();
    const summary = await runPlan(plan, {
      emit: (event) => {
        if (event.phase === 'pre-checks' && event.state === 'start') setTimeout(() => controller.abort(new Error('SIGINT')), 200);
      },
      signal: controller.signal,
      loadDriver: async () => untouchable,
    });
    // The platform's own check (Data Loss) runs beside the bundle's; the interrupted test run is what blocks.
    expect(summary.checks.pre).toEqual([{ name: 'Tests', ok: false, detail: 'interrupted', exitCode: 3 }, expect.objectContaining({ name: 'Data Loss', ok: true })]);
    expect(summary.status).toBe('blocked');
    expect(await readdir(join(root, '.deploy/staging'))).not.toContain('lock');
  });
});
