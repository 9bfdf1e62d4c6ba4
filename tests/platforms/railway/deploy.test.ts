import { describe, expect, it } from 'vitest';
import { expectNoToken, railwayContractSuite, summaryJson as json, TOKEN, type Harness } from './support/harness.js';

const { available, start } = railwayContractSuite();
let h: Harness;

describe.skipIf(!available)('Railway contract tests: deploy through the real CLI against a fake API built from the schema', () => {
  it('success: uploads the tree, polls to SUCCESS, verifies on the public URL, rollback line names the previous deployment', async () => {
    h = await start({ files: { '.gitignore': 'secret.txt\nlogs/\n', '.railwayignore': '*.md\n', 'README.md': 'x', 'secret.txt': 's' } });
    const previous = h.fake.seedLive('good');
    const result = await h.run(['staging', '--json']);
    const summary = json(result.stdout);
    expect(result.code, result.stderr).toBe(0);
    expect(summary.status).toBe('success');
    const created = h.fake.deployments.at(-1)!;
    expect(summary.release.id).toBe(created.id);
    expect(summary.rollback.command).toBe(`deploy rollback staging --to ${previous.id}`);
    // No deploy of staging on record here, but Railway serves one: the rollback plan written before the deploy names it.
    expect(summary.checks.pre.find((c) => c.name === 'Rollback Plan')?.detail).toContain(`deploy rollback staging --to ${previous.id}`);
    expect(summary.checks.post.map((p) => p.name)).toEqual(expect.arrayContaining(['Smoke Tests', 'Error Rate', 'Response Times']));
    expect(h.app.requests).toBeGreaterThanOrEqual(20);
    expect(h.fake.uploads).toHaveLength(1);
    expect(h.fake.uploads[0]!.path).toBe('/project/proj-1/environment/env-staging/up?serviceId=svc-web');
    expect(h.fake.uploads[0]!.files).toContain('server.js');
    expect(h.fake.uploads[0]!.files).toContain('deploy.config.yaml');
    expect(h.fake.uploads[0]!.files).not.toContain('secret.txt');
    expect(h.fake.uploads[0]!.files).not.toContain('README.md');
    expect(h.fake.violations).toEqual([]);
    expect(h.fake.calledOperations()).not.toContain('ShipgateRollback');
    expect(expectNoToken(h, result)).toEqual([]);
  }, 180_000);

  it('a FAILED build exits 1, quotes the build log lines, and never rolls back (Railway never swapped)', async () => {
    h = await start();
    const previous = h.fake.seedLive('good');
    h.fake.next = { statuses: ['BUILDING', 'FAILED'], mode: 'bad', buildLogs: ['#5 RUN npm ci', 'npm ERR! missing script: build'] };
    const result = await h.run(['staging', '--json']);
    const summary = json(result.stdout);
    expect(result.code, result.stderr).toBe(1);
    expect(summary.logTail).toEqual(['[build] #5 RUN npm ci', '[build] npm ERR! missing script: build']);
    expect(summary.message).toContain('ended FAILED');
    expect(summary.message).toContain(`${previous.id} still serves`);
    expect(h.fake.calledOperations()).not.toContain('ShipgateRollback');
    expect(h.fake.violations).toEqual([]);
    const human = await h.run(['history', 'staging']);
    expect(human.stdout).toContain('failed');
    expect(expectNoToken(h, result, human)).toEqual([]);
  }, 180_000);

  it.each(['SKIPPED', 'REMOVED'])('a deployment that goes %s is a failure (exit 1)', async (status) => {
    h = await start();
    h.fake.seedLive('good');
    h.fake.next = { statuses: ['QUEUED', status], mode: 'good' };
    const result = await h.run(['staging', '--json']);
    expect(result.code, result.stderr).toBe(1);
    expect(json(result.stdout).checks.post[0]).toMatchObject({ name: 'Railway Deployment', ok: false, value: status });
    expect(h.fake.violations).toEqual([]);
  }, 180_000);

  it('verification failing sends deploymentRollback with the previous id, waits for SUCCESS, verifies again, exit 1', async () => {
    h = await start();
    const previous = h.fake.seedLive('good');
    h.fake.next = { statuses: ['BUILDING', 'DEPLOYING', 'SUCCESS'], mode: 'bad', deployLogs: ['Error: boom'] };
    const result = await h.run(['staging', '--json']);
    const summary = json(result.stdout);
    expect(result.code, result.stderr).toBe(1);
    expect(summary.status).toBe('rolled_back');
    expect(summary.rollback).toMatchObject({ performed: true, verified: true });
    const rollbacks = h.fake.calls.filter((c) => c.operation === 'ShipgateRollback');
    expect(rollbacks.map((c) => c.variables)).toEqual([{ id: previous.id }]);
    expect(summary.logTail).toContain('[deploy] Error: boom');
    expect(summary.checks.post.some((p) => p.name.endsWith('(after rollback)') && p.ok)).toBe(true);
    // The public app answers from the rolled-back image again.
    expect(h.fake.deployments.at(-1)!.rollbackOf).toBe(previous.id);
    expect(h.fake.violations).toEqual([]);
    expect(expectNoToken(h, result)).toEqual([]);
  }, 180_000);

  it('CRASHED after going live is caught during verification and rolled back (exit 1)', async () => {
    h = await start();
    const previous = h.fake.seedLive('good');
    h.fake.next = { statuses: ['BUILDING', 'SUCCESS'], mode: 'good', crashAfterReads: 1, deployLogs: ['FATAL out of memory'] };
    const result = await h.run(['staging', '--json']);
    const summary = json(result.stdout);
    expect(result.code, result.stderr).toBe(1);
    expect(summary.checks.post.find((p) => !p.ok)?.name).toMatch(/Railway Status|Smoke Tests|Error Rate/);
    expect(h.fake.calls.filter((c) => c.operation === 'ShipgateRollback').map((c) => c.variables)).toEqual([{ id: previous.id }]);
    expect(summary.logTail).toContain('[deploy] FATAL out of memory');
    expect(h.fake.violations).toEqual([]);
  }, 180_000);

  it("Railway's own HTTP metrics count: a 5xx share above the threshold fails verification and rolls back", async () => {
    h = await start();
    const previous = h.fake.seedLive('good');
    h.fake.httpMetrics = [
      { statusCode: 200, samples: [{ ts: 1, value: 270 }] },
      { statusCode: 502, samples: [{ ts: 1, value: 30 }] },
    ];
    const result = await h.run(['staging', '--json']);
    expect(result.code, result.stderr).toBe(1);
    const summary = json(result.stdout);
    expect(summary.checks.post.find((p) => p.name === 'Railway HTTP Metrics')).toMatchObject({ ok: false, value: '10% 5xx of 300' });
    expect(h.fake.calls.filter((c) => c.operation === 'ShipgateRollback').map((c) => c.variables)).toEqual([{ id: previous.id }]);
  }, 180_000);

  it('a rollback that fails is exit 4 naming both deployment ids', async () => {
    h = await start();
    const previous = h.fake.seedLive('good');
    h.fake.next = { statuses: ['BUILDING', 'SUCCESS'], mode: 'bad' };
    h.fake.rollbackScript = ['DEPLOYING', 'FAILED'];
    const result = await h.run(['staging']);
    expect(result.code, result.stderr).toBe(4);
    const failed = h.fake.deployments.find((d) => d.mode === 'bad' && !d.rollbackOf)!;
    expect(result.stdout).toContain(failed.id);
    expect(result.stdout).toContain(previous.id);
    expect(result.stdout).toContain('could not be confirmed');
    expect(expectNoToken(h, result)).toEqual([]);
  }, 180_000);
});
