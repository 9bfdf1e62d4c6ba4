/**
 * For every platform and every strategy it can run: the steps a real deploy executed (the summary's `executed`)
 * are exactly the steps `--dry-run` printed for it, in order, minus those that only run on a failure. A step that
 * runs without being planned shows up as "(not in the plan) <id>" and fails the comparison.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DeploySummary } from '../../src/contracts/summary.js';
import { runCli, makeProject } from '../cli/helpers.js';
import { cleanupApp, dockerEngine, fixtureProject, removeDir, testAppName } from '../helpers/docker.js';
import { FakeCluster } from '../platforms/kubernetes/fake-cluster.js';
import { clusterConfig, commitNextImage } from '../platforms/kubernetes/project.js';
import { createExampleProject, type ExampleProject } from '../platforms/local/helpers/example-project.js';
import { railwayContractSuite } from '../platforms/railway/support/harness.js';
import { ensureBuilt } from '../setup/build.js';
import { freePort } from '../helpers/free-port.js';

type Run = (args: string[]) => Promise<{ code: number | null; stdout: string; stderr: string }>;

/** Steps that run only after a failure: they are planned, and a good deploy never executes them. */
const onFailure = (text: string) => /^(on failure|after a rollback)/.test(text);

async function planThenDeploy(run: Run, args: string[]): Promise<{ planned: string[]; executed: string[]; summary: DeploySummary }> {
  const dry = await run([...args, '--dry-run', '--json']);
  expect(dry.code, dry.stderr).toBe(0);
  const planned = (JSON.parse(dry.stdout) as DeploySummary).plan!.steps;
  const real = await run([...args, '--yes', '--json']);
  const summary = JSON.parse(real.stdout) as DeploySummary;
  expect(real.code, `${summary.message ?? ''}\n${real.stderr}`).toBe(0);
  return { planned: planned.filter((s) => !onFailure(s)), executed: summary.executed ?? [], summary };
}

function localPlan() {
describe('local platform: the dry-run plan is what runs', { sequential: true }, () => {
  let project: ExampleProject;
  afterAll(async () => project?.destroy());

  it('blue-green, then canary against the release it replaces', async () => {
    project = await createExampleProject({ windowMs: 1_000, minRequests: 20 });
    const run: Run = async (args) => {
      const r = await project.cli(...args);
      return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
    };
    const blueGreen = await planThenDeploy(run, ['staging']);
    expect(blueGreen.executed).toEqual(blueGreen.planned);
    expect(blueGreen.executed.some((s) => s.startsWith('verify '))).toBe(true);
    // The engine's migrate step records what it applied in the run's rollback plan (it did so on docker only before).
    const rollbackPlan = JSON.parse(readFileSync(join(project.dir, '.deploy', 'staging', 'rollback-plan.json'), 'utf8')) as { migrations: { applied?: string[] } };
    expect(rollbackPlan.migrations.applied).toEqual(['001_items.sql']);

    const config = join(project.dir, 'deploy.config.yaml');
    writeFileSync(config, readFileSync(config, 'utf8').replace('keepWarm: 10m', 'keepWarm: 10m\ncanary: { steps: [50, 100], interval: 2s }'));
    project.commitKnobs({}, 'canary settings');
    const canary = await planThenDeploy(run, ['staging', '--strategy', 'canary']);
    expect(canary.executed).toEqual(canary.planned);
    expect(canary.planned.filter((s) => /^(canary|promote)/.test(s))).toHaveLength(2);
    // The canary's steps judge the traffic; there is no separate watch window to print and skip.
    expect(canary.planned.some((s) => s.startsWith('verify'))).toBe(false);
  }, 240_000);
});
}

const engine = await dockerEngine();

function dockerPlan() {
describe.skipIf(!engine.ok)('docker platform: the dry-run plan is what runs', { sequential: true }, () => {
  const app = testAppName('sgp');
  let project = '';
  afterAll(async () => {
    await cleanupApp(app);
    if (project) {
      await runCli(['stop', 'staging', '--yes'], { cwd: project }).catch(() => undefined);
      await removeDir(project);
    }
  });

  it('blue-green, then canary through our router (docker runs canary through the engine)', async () => {
    await ensureBuilt();
    project = await mkdtemp(join(tmpdir(), 'shipgate-docker-plan-'));
    await fixtureProject({}, project);
    const port = await freePort();
    await writeFile(
      join(project, 'deploy.config.yaml'),
      [
        `app: ${app}`,
        'platform: docker',
        'tests: false',
        'migrations: none',
        'health: { path: /health, interval: 100ms, timeout: 20s }',
        // Few samples and long steps: this proves the steps, not the gate, on a loaded 2-core machine.
        'verify: { smoke: ["GET /"], errorRate: 1%, p95: 2s, window: 1s, minRequests: 5 }',
        'canary: { steps: [50, 100], interval: 2s }',
        'keepWarm: 2s',
        'drainTimeout: 1s',
        `environments: { staging: { port: ${port} } }`,
        '',
      ].join('\n'),
    );
    const run: Run = (args) => runCli(args, { cwd: project });
    const blueGreen = await planThenDeploy(run, ['staging']);
    expect(blueGreen.executed).toEqual(blueGreen.planned);
    const canary = await planThenDeploy(run, ['staging', '--strategy', 'canary']);
    expect(canary.summary.strategy).toBe('canary');
    expect(canary.summary.steps?.map((s) => s.percent)).toEqual([50, 100]);
    expect(canary.executed).toEqual(canary.planned);
  }, 300_000);
});
}

function kubernetesPlan() {
describe('kubernetes platform (contract test against a fake API server): the dry-run plan is what runs', { sequential: true }, () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  async function cluster(settings: string[], kubernetes: string[] = [], prepare: (fake: FakeCluster) => void = () => undefined) {
    await ensureBuilt();
    const fake = await FakeCluster.start();
    cleanups.push(() => fake.close());
    fake.addService('shop', { app: 'shop' });
    prepare(fake);
    const dir = makeProject(clusterConfig(fake, { settings, kubernetes }));
    const kubeDir = mkdtempSync(join(tmpdir(), 'shipgate-kubeconfig-'));
    cleanups.push(() => rmSync(kubeDir, { recursive: true, force: true }));
    const env = { KUBECONFIG: fake.writeKubeconfig(kubeDir) };
    const run: Run = (args) => runCli(args, { cwd: dir, env });
    return { fake, dir, run };
  }

  it('blue-green (first deploy, then a second one that retires blue)', async () => {
    const { fake, dir, run } = await cluster([]);
    commitNextImage(fake, dir);
    const first = await planThenDeploy(run, ['staging']);
    expect(first.executed).toEqual(first.planned);
    commitNextImage(fake, dir);
    const second = await planThenDeploy(run, ['staging']);
    expect(second.executed).toEqual(second.planned);
  }, 240_000);

  it('canary by replica ratio (approximate, and the plan says so)', async () => {
    const { fake, dir, run } = await cluster(['strategy: canary', 'canary: { steps: [25, 100], interval: 3s }']);
    commitNextImage(fake, dir);
    await planThenDeploy(run, ['staging']);
    commitNextImage(fake, dir);
    const canary = await planThenDeploy(run, ['staging']);
    expect(canary.planned.some((s) => s.includes('(approximate split)'))).toBe(true);
    expect(canary.executed).toEqual(canary.planned);
  }, 240_000);

  it('Argo Rollouts (the first revision, then one verified in preview before its promotion)', async () => {
    const { fake, dir, run } = await cluster([], ['argoRollouts: true', 'smokeVia: pod-ip'], (f) => f.addService('shop-preview', { app: 'shop' }));
    commitNextImage(fake, dir);
    const first = await planThenDeploy(run, ['staging']);
    expect(first.executed).toEqual(first.planned);
    commitNextImage(fake, dir);
    const second = await planThenDeploy(run, ['staging']);
    expect(second.executed).toEqual(second.planned);
    // Verified before the switch: the engine's verify-first order, as the plan prints it.
    expect(second.executed.map((s) => s.split(' ')[0])).toEqual(['pre-checks', 'apply', 'smoke', 'verify', 'promote', 'Argo', 'hook']);
    expect(fake.get('Rollout', 'default', 'shop')!.status.stableRS).toBe(fake.get('Rollout', 'default', 'shop')!.status.currentPodHash);
  }, 240_000);
});
}

const railway = railwayContractSuite();

function railwayPlan() {
describe.skipIf(!railway.available)('railway platform (contract test against a fake API): the dry-run plan is what runs', { sequential: true }, () => {
  it('blue-green; canary is refused when the config is read', async () => {
    const h = await railway.start();
    h.fake.seedLive('good');
    const deploy = await planThenDeploy((args) => h.run(args), ['staging']);
    expect(deploy.executed).toEqual(deploy.planned);
    const canary = await h.run(['staging', '--strategy', 'canary', '--dry-run', '--json']);
    expect(canary.code).toBe(2);
    expect(JSON.parse(canary.stdout).message).toContain('--strategy: platform railway cannot run strategy canary');
  }, 240_000);
});
}

/**
 * Two lanes side by side, each case with its own project, port and fake API (a deploy mostly waits on its own
 * processes); within a lane the platforms run in order.
 */
describe('the dry-run plan is what runs', () => {
  describe('on real processes and containers', { concurrent: true }, () => {
    localPlan();
    dockerPlan();
  });
  describe('against fake platform APIs', { concurrent: true }, () => {
    kubernetesPlan();
    railwayPlan();
  });
});
