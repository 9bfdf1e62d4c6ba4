/**
 * The docker platform end to end on a real engine: the orchestrator's runPlan with the docker driver, our
 * router daemon in front, containers built from a Dockerfile, a load generator running across every deploy.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRecipes } from '../../../src/bundle/load.js';
import { resolveEnvironment } from '../../../src/config/resolve.js';
import type { DeploySummary } from '../../../src/contracts/summary.js';
import { createExecutor } from '../../../src/exec/executor.js';
import { buildPlan, type RunKind } from '../../../src/orchestrator/plan.js';
import { runPlan } from '../../../src/orchestrator/run.js';
import type { PlatformStatus } from '../../../src/orchestrator/types.js';
import { listContainers } from '../../../src/platforms/docker/containers.js';
import { createDriver } from '../../../src/platforms/docker/driver.js';
import { imageRef } from '../../../src/platforms/docker/names.js';
import { StateStore } from '../../../src/state/store.js';
import { realClock } from '../../../src/verify/clock.js';
import { startLoad } from '../../helpers/load.js';
import { cleanupApp, dockerEngine, fixtureProject, removeDir, testAppName, type Knobs } from '../../helpers/docker.js';
import { ensureBuilt, ROOT } from '../../setup/build.js';
import { freePort } from '../../helpers/free-port.js';

const engine = await dockerEngine();
const app = testAppName('sgd');
const SECRET = `sess-${createHash('sha256').update(app).digest('hex').slice(0, 24)}`;
let project = '';
let port = 0;
const deps = { executor: createExecutor() };

const driver = createDriver({
  host: '127.0.0.1',
  daemonPath: join(ROOT, 'dist/src/platforms/docker/runtime-daemon.js'),
  timing: { stopTimeoutMs: 2_000, requestTimeoutMs: 3_000 },
});

async function configure(knobs: Knobs): Promise<void> {
  await fixtureProject(knobs, project);
}

async function run(kind: RunKind, to: string | null = null, using = driver): Promise<DeploySummary> {
  const recipes = await loadRecipes();
  const config = await resolveEnvironment(project, 'staging', { recipes, env: { ...process.env, SESSION_SECRET: SECRET } });
  const plan = buildPlan({
    kind, config, recipes, dryRun: false, toolVersion: '0.0.0-test', now: new Date(),
    options: { ref: null, to, yes: true, forceUnverified: false, reason: null, allowDirty: true, lockWaitMs: 0, verbose: false },
  });
  return runPlan(plan, { emit: () => undefined, signal: new AbortController().signal, loadDriver: async () => using, loadPreChecks: async () => [] });
}

async function servedBy(): Promise<string | null> {
  return (await fetch(`http://127.0.0.1:${port}/`)).headers.get('x-release');
}

describe.skipIf(!engine.ok)('docker platform deploys on a real engine', () => {
  const summaries: DeploySummary[] = [];

  beforeAll(async () => {
    await buildDist();
    port = await freePort();
    project = await mkdtemp(join(tmpdir(), 'shipgate-docker-deploy-'));
    await writeFile(join(project, '.env.staging'), 'SESSION_SECRET=from-file\n');
    await writeFile(
      join(project, 'deploy.config.yaml'),
      [
        `app: ${app}`,
        'platform: docker',
        'tests: false',
        `migrations: { tool: sql, dir: migrations, database: "sqlite:${join(project, 'app.db')}" }`,
        'env: { required: [SESSION_SECRET] }',
        'health: { path: /health, interval: 100ms, timeout: 20s }',
        // p95 is generous: this file proves the flow, not the speed of a loaded 2-core CI machine.
        'verify: { smoke: ["GET /"], errorRate: 1%, p95: 2s, window: 3s, minRequests: 60 }',
        'keepWarm: 2s',
        'drainTimeout: 2s',
        'releases: { keep: 3 }',
        `environments: { staging: { port: ${port} } }`,
        '',
      ].join('\n'),
    );
    await mkdir(join(project, 'migrations'));
    await writeFile(join(project, 'migrations', '001_items.sql'), 'CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT);\n');
    await configure({});
    const first = await run('deploy');
    summaries.push(first);
    expect(first.message ?? '').toBe('');
    expect(first.status).toBe('success');
    // The release's migration ran on this machine before green started.
    const tables = await createExecutor().run({ file: 'sqlite3', args: [join(project, 'app.db'), "SELECT name FROM sqlite_master WHERE type = 'table'"], mutates: false });
    expect(tables.stdout.split('\n')).toContain('items');
  }, 240_000);

  afterAll(async () => {
    await cleanupApp(app);
    if (project) {
      const { connectRouter } = await import('../../../src/router/client.js');
      const client = await connectRouter(join(project, '.deploy/staging')).catch(() => null);
      await client?.shutdown(0);
      client?.close();
      await removeDir(project);
    }
  });

  it('deploys a new release under load with 0 failed requests, passes the secret without exposing it, then retires blue', async () => {
    const blue = summaries[0]!.release.id;
    expect(await servedBy()).toBe(blue);
    const load = startLoad(`http://127.0.0.1:${port}/`, { concurrency: 4, maxDurationMs: 60_000 });
    await load.waitFor(50);
    await configure({ latencyMs: 1 });
    const summary = await run('deploy');
    await load.waitFor(load.snapshot().total + 50);
    const result = await load.stop();

    expect(summary.message ?? '', JSON.stringify(summary.checks.post)).toBe('');
    expect(summary).toMatchObject({ status: 'success', exitCode: 0, platform: 'docker' });
    const green = summary.release.id;
    expect(await servedBy()).toBe(green);
    expect(result.failed).toBe(0);
    expect(result.byRelease[blue]).toBeGreaterThan(0);
    expect(result.byRelease[green]).toBeGreaterThan(0);
    expect(summary.checks.post.every((c) => c.ok)).toBe(true);
    expect(summary.rollback.command).toBe(`deploy rollback staging --to ${blue}`);

    // The process environment wins over the env file, and the value reached the container.
    const hash = await (await fetch(`http://127.0.0.1:${port}/env-hash?name=SESSION_SECRET`)).text();
    expect(hash).toBe(createHash('sha256').update(SECRET).digest('hex'));
    const history = JSON.stringify(await new StateStore(project, 'staging').readHistory());
    expect(history).not.toContain(SECRET);
    expect(JSON.stringify(summary)).not.toContain(SECRET);

    // Blue stays warm (keepWarm 2s), then the runtime drains, stops and removes its container.
    const deadline = Date.now() + 30_000;
    let releases = (await listContainers(deps, app, 'staging')).map((c) => c.release);
    while (releases.includes(blue) && Date.now() < deadline) {
      await realClock.sleep(250);
      releases = (await listContainers(deps, app, 'staging')).map((c) => c.release);
    }
    expect(releases).toEqual([green]);
    summaries.push(summary);
  });

  it('never switches to a container that crashes on start, and quotes its logs', async () => {
    const active = await servedBy();
    const load = startLoad(`http://127.0.0.1:${port}/`, { concurrency: 2, maxDurationMs: 60_000 });
    await configure({ crashOnStart: true });
    const summary = await run('deploy');
    const result = await load.stop();

    expect(summary).toMatchObject({ status: 'failed', exitCode: 1 });
    expect(summary.rollback.performed).toBe(false);
    expect(summary.message).toMatch(/exited with code 3/);
    expect(summary.logTail?.join('\n')).toContain('crashing on start');
    expect(await servedBy()).toBe(active);
    expect(result.failed).toBe(0);
    expect((await listContainers(deps, app, 'staging')).map((c) => c.release)).not.toContain(summary.release.id);
  });

  it('stops a release whose health check never passes at the health deadline; blue keeps serving', async () => {
    const active = await servedBy();
    await configure({ failHealth: true });
    const impatient = createDriver({
      host: '127.0.0.1',
      daemonPath: join(ROOT, 'dist/src/platforms/docker/runtime-daemon.js'),
      timing: { stopTimeoutMs: 2_000, requestTimeoutMs: 3_000, health: { path: '/health', intervalMs: 100, deadlineMs: 3_000, checkTimeoutMs: 1_000 } },
    });
    const summary = await run('deploy', null, impatient);

    expect(summary).toMatchObject({ status: 'failed', exitCode: 1 });
    expect(summary.message).toMatch(/not healthy within 3000 ms/);
    expect(await servedBy()).toBe(active);
    expect((await listContainers(deps, app, 'staging')).map((c) => c.release)).toEqual([active]);
  });

  it('rolls back a release that fails verification (20% errors) to the warm blue', async () => {
    const active = await servedBy();
    await configure({ errorRate: 0.2 });
    const summary = await run('deploy');

    expect(summary).toMatchObject({ status: 'rolled_back', exitCode: 1 });
    expect(summary.rollback).toMatchObject({ performed: true, verified: true });
    // Mostly the error rate; the post-switch smoke test runs beside the probe traffic and may draw a 500 first.
    const failed = summary.checks.post.find((c) => !c.ok);
    expect(failed?.name).toMatch(/Error Rate|Smoke Tests/);
    expect(await servedBy()).toBe(active);
    expect((await listContainers(deps, app, 'staging')).map((c) => c.release)).toEqual([active]);
  });

  it('rolls back by hand to the previous release, starting its image again once blue has been retired', async () => {
    const previous = summaries[0]!.release.id;
    const load = startLoad(`http://127.0.0.1:${port}/`, { concurrency: 2, maxDurationMs: 60_000 });
    const summary = await run('rollback');
    const result = await load.stop();

    expect(summary).toMatchObject({ status: 'success', exitCode: 0 });
    expect(summary.message).toMatch(/cold start/);
    expect(await servedBy()).toBe(previous);
    expect(result.failed).toBe(0);
  });

  it('shows containers in status, and stop removes them but keeps the images', async () => {
    const active = (await servedBy())!;
    const recipes = await loadRecipes();
    const config = await resolveEnvironment(project, 'staging', { recipes, env: { ...process.env, SESSION_SECRET: SECRET } });
    const ctx = {
      plan: buildPlan({ kind: 'stop', config, recipes, dryRun: false, toolVersion: 't', now: new Date(), options: { ref: null, to: null, yes: true, forceUnverified: false, reason: null, allowDirty: true, lockWaitMs: 0, verbose: false } }),
      config, executor: createExecutor(), emit: () => undefined, signal: new AbortController().signal, clock: realClock,
      state: new StateStore(project, 'staging'), defer: () => undefined, log: () => undefined, step: () => undefined,
    };
    const status: PlatformStatus = await driver.status(ctx);
    expect(status.active?.release).toBe(active);
    expect(status.detail).toContain(imageRef(app, active));
    expect(status.detail).toMatch(/container [0-9a-f]{12} /);
    // The CLI's `deploy status` shows the same container ids and images.
    const cliStatus = JSON.parse(execFileSync(process.execPath, [join(ROOT, 'dist/src/cli/main.js'), 'status', 'staging', '--json'], { cwd: project, env: { ...process.env, SESSION_SECRET: SECRET }, encoding: 'utf8' }));
    expect(cliStatus.platform.join('\n')).toContain(imageRef(app, active));
    expect(JSON.stringify(cliStatus)).not.toContain(SECRET);

    const stopped = await run('stop');
    expect(stopped.exitCode).toBe(0);
    expect(await listContainers(deps, app, 'staging')).toEqual([]);
    const images = await deps.executor.run({ file: 'docker', args: ['image', 'inspect', imageRef(app, active)], mutates: false });
    expect(images.exitCode).toBe(0);
  });
});

/** The router daemon runs from dist/. tsc still emits when another module has a type error; only a missing daemon is fatal. */
async function buildDist(): Promise<void> {
  try {
    await ensureBuilt();
  } catch (error) {
    if (!existsSync(join(ROOT, 'dist/src/platforms/docker/runtime-daemon.js'))) throw error;
  }
}
