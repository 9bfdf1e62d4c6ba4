import { describe, expect, it } from 'vitest';
import { startCli } from '../../cli/helpers.js';
import { expectNoToken, railwayContractSuite, TOKEN, type Harness } from './support/harness.js';

const { available, start } = railwayContractSuite();
let h: Harness;

describe.skipIf(!available)('Railway contract tests: rollback, status and history through the real CLI', () => {
  it('deploy rollback <env> returns to the previous deployment, and --to <id> to a chosen one; status and history show Railway deployments merged with ours', async () => {
    h = await start();
    const first = h.fake.seedLive('good');
    const deployed = await h.run(['staging', '--json']);
    expect(deployed.code, deployed.stderr).toBe(0);
    const ours = h.fake.deployments.at(-1)!;

    const back = await h.run(['rollback', 'staging', '--json']);
    expect(back.code, back.stderr + back.stdout).toBe(0);
    expect(h.fake.calls.filter((c) => c.operation === 'ShipgateRollback').map((c) => c.variables)).toEqual([{ id: first.id }]);
    const restored = h.fake.deployments.at(-1)!;
    expect(restored.rollbackOf).toBe(first.id);
    expect(restored.status).toBe('SUCCESS');
    expect(h.app.requests).toBeGreaterThan(0);

    const forward = await h.run(['rollback', 'staging', '--to', ours.id, '--json']);
    expect(forward.code, forward.stderr + forward.stdout).toBe(0);
    expect(h.fake.calls.filter((c) => c.operation === 'ShipgateRollback').at(-1)!.variables).toEqual({ id: ours.id });
    const live = h.fake.deployments.at(-1)!;
    expect(live.rollbackOf).toBe(ours.id);

    const status = await h.run(['status', 'staging']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(`live: ${live.id}`);
    expect(status.stdout).toContain(`${ours.id}  REMOVED`);
    expect(status.stdout).toMatch(new RegExp(`${first.id}\\s+REMOVED\\s+not from shipgate`));
    expect(status.stdout).toMatch(new RegExp(`${ours.id}\\s+REMOVED\\s+shipgate: deploy success verified`));
    expect(status.stdout).toMatch(new RegExp(`${live.id}\\s+SUCCESS\\s+shipgate: rollback success verified`));

    const history = await h.run(['history', 'staging']);
    expect(history.code, history.stderr).toBe(0);
    // Our records, with Railway's status of each release now, and the deployment made outside shipgate.
    expect(history.stdout).toMatch(new RegExp(`deploy .*${ours.id}.*now REMOVED`));
    expect(history.stdout).toMatch(new RegExp(`railway\\s+REMOVED\\s+${first.id}\\s+not from shipgate`));
    const historyJson = await h.run(['history', 'staging', '--json']);
    const asJson = JSON.parse(historyJson.stdout) as Array<{ type: string; release?: { id: string }; platform?: unknown }>;
    expect(asJson.some((r) => r.type === 'platform' && r.release?.id === first.id), historyJson.stdout + historyJson.stderr).toBe(true);
    expect(asJson.some((r) => r.type === 'deploy' && r.release?.id === ours.id && r.platform), historyJson.stdout + historyJson.stderr).toBe(true);

    expect(h.fake.violations).toEqual([]);
    expect(expectNoToken(h, deployed, back, forward, status, history)).toEqual([]);
  }, 180_000);

  it('a service without healthcheckPath: the pre-check warns, the deploy sets it from health.path and the summary says so', async () => {
    h = await start();
    h.fake.seedLive('good');
    h.fake.instance.healthcheckPath = null;
    const result = await h.run(['staging', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as { message?: string; checks: { pre: Array<{ name: string; warning?: boolean; detail: string }> } };
    expect(summary.checks.pre.find((c) => c.name === 'Healthcheck Path')).toMatchObject({ warning: true });
    expect(summary.message).toContain("set the service's healthcheckPath to /health");
    expect(h.fake.instance.healthcheckPath).toBe('/health');
    const update = h.fake.calls.find((c) => c.operation === 'ShipgateServiceInstanceUpdate')!;
    expect(update.variables).toMatchObject({ environmentId: 'env-staging', serviceId: 'svc-web', input: { healthcheckPath: '/health' } });
  }, 180_000);

  it('image source: sets the image with the commit through serviceInstanceUpdate and deploys with serviceInstanceDeployV2 (no upload)', async () => {
    h = await start({ railwayExtra: '  image: ghcr.io/acme/shop:${commit}\n' });
    h.fake.seedLive('good');
    const result = await h.run(['staging', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(h.fake.instance.image).toMatch(/^ghcr\.io\/acme\/shop:[0-9a-f]{40}$/);
    expect(h.fake.calledOperations()).toContain('ShipgateDeploy');
    expect(h.fake.uploads).toHaveLength(0);
    expect(h.fake.violations).toEqual([]);
  }, 180_000);

  it('--dry-run lists the Railway steps and sends nothing that changes Railway', async () => {
    h = await start({ railwayExtra: '  image: ghcr.io/acme/shop:${commit}\n' });
    h.fake.seedLive('good');
    const result = await h.run(['staging', '--dry-run', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const steps = (JSON.parse(result.stdout) as { plan: { steps: string[] } }).plan.steps.join('\n');
    expect(steps).toContain('set the image ghcr.io/acme/shop:${commit} and call serviceInstanceDeployV2');
    expect(steps).toContain('deploymentRollback(previous)');
    expect(steps).not.toContain('switch');
    expect(h.fake.calledOperations()).not.toContain('ShipgateDeploy');
    expect(h.fake.calledOperations()).not.toContain('ShipgateServiceInstanceUpdate');
  }, 180_000);

  it('a project token for the staging environment cannot deploy production: exit 3 at the pre-checks', async () => {
    h = await start();
    h.fake.seedLive('good');
    const result = await h.run(['production']);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stdout).toContain('project token for another Railway environment than production');
    expect(h.fake.calledOperations()).not.toContain('upload');
  }, 180_000);

  it('an orchestrator killed during verification: recovery rolls the unverified deployment back to the previous one', async () => {
    h = await start();
    const previous = h.fake.seedLive('good');
    const child = startCli(['staging', '--verbose'], { cwd: h.dir, env: { RAILWAY_TOKEN: TOKEN, DEPLOY_RAILWAY_API_URL: h.fake.url } });
    let stderr = '';
    let killed = false;
    child.stderr!.on('data', (d) => {
      stderr += d;
      const pid = /orchestrator pid (\d+)/.exec(stderr)?.[1];
      if (!killed && pid && stderr.includes('Railway swapped')) {
        killed = true;
        process.kill(Number(pid), 'SIGKILL');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(killed).toBe(true);
    expect(code, stderr).not.toBe(0);
    const unverified = h.fake.deployments.find((d) => d !== previous && !d.rollbackOf)!;
    expect(h.fake.calls.filter((c) => c.operation === 'ShipgateRollback').map((c) => c.variables), stderr).toEqual([{ id: previous.id }]);
    const history = JSON.parse((await h.run(['history', 'staging', '--json'])).stdout) as Array<{ type: string; status: string; detail?: string }>;
    expect(history.find((r) => r.type === 'recovery')).toMatchObject({ status: 'recovered', detail: expect.stringContaining(`the unverified ${unverified.id} was rolled back to ${previous.id}`) });
    expect(h.fake.deployments.at(-1)!).toMatchObject({ rollbackOf: previous.id, status: 'SUCCESS' });
  }, 180_000);

  it('config errors name the path and exit 2 before anything is sent', async () => {
    h = await start({ railwayExtra: '  source: upload\n  image: x/y:1\n' });
    const result = await h.run(['staging']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('railway.image: set either source: upload or image, not both');
    expect(h.fake.calls).toHaveLength(0);
  }, 180_000);
});
