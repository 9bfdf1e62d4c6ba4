/**
 * Contract tests: a FIRST release on Kubernetes that fails its verification, through the real built CLI against the
 * fake API server (tests/platforms/kubernetes/fake-cluster.ts). There is no blue to return to: green is deleted and
 * the Service's selector from before the deploy is put back (manifests.test.ts checks the patch). That selector may
 * select pods this deploy did not create, so the message says what serves the address now, read from the cluster.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploySummary } from '../../../src/contracts/summary.js';
import { makeProject, runCli } from '../../cli/helpers.js';
import { ensureBuilt } from '../../setup/build.js';
import { clusterConfig, commitNextImage } from './project.js';
import { FakeCluster } from './fake-cluster.js';

let fake: FakeCluster;
let dir = '';
let kubeDir = '';

async function deployFailing(): Promise<{ code: number | null; summary: DeploySummary }> {
  commitNextImage(fake, dir, { errorRate: 0.3 });
  const r = await runCli(['staging', '--yes', '--json'], { cwd: dir, env: { KUBECONFIG: join(kubeDir, 'kubeconfig.yaml') } });
  return { code: r.code, summary: JSON.parse(r.stdout) as DeploySummary };
}

beforeAll(async () => {
  await ensureBuilt();
  fake = await FakeCluster.start();
  // As `kubectl create service` leaves it: a selector on the app label alone.
  fake.addService('shop', { app: 'shop' });
  dir = makeProject(clusterConfig(fake, { kubernetes: ['replicas: 2', 'smokeVia: pod-ip'] }));
  kubeDir = mkdtempSync(join(tmpdir(), 'shipgate-kubeconfig-'));
  fake.writeKubeconfig(kubeDir);
}, 120_000);

afterAll(async () => {
  await fake?.close();
  for (const d of [dir, kubeDir]) if (d) rmSync(d, { recursive: true, force: true });
});

describe('a first release that fails verification on kubernetes (contract test against a fake API server)', () => {
  it('contract test: the selector from before matches no pod: the message says nothing serves the URL, and nothing does', async () => {
    const { code, summary } = await deployFailing();
    expect(code, summary.message).toBe(1);
    expect(summary).toMatchObject({ status: 'failed', rollback: { performed: false } });
    const green = summary.release.id;
    expect(summary.message).toContain('there was no previous release to return to');
    expect(summary.message).toContain(`Service default/shop selects app=shop again, as before the deploy, which matches no ready pod: nothing serves ${fake.publicUrl} now`);
    expect(fake.get('Service', 'default', 'shop')!.spec.selector).toEqual({ app: 'shop' });
    expect(fake.get('Deployment', 'default', `shop-${green}`)).toBeUndefined();
    expect((await fetch(fake.publicUrl)).status).toBe(503);
  }, 60_000);

  it('contract test: the selector from before matches pods this deploy did not create: the message names them as serving', async () => {
    // Someone's own pod carrying the app label, e.g. what served before shipgate was adopted.
    fake.put({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'shop-legacy-0', namespace: 'default', labels: { app: 'shop', track: 'legacy' }, annotations: { image: 'registry.test/shop-legacy:1' } },
      spec: { containers: [{ name: 'app', image: 'registry.test/shop-legacy:1' }] },
      status: { phase: 'Running', podIP: '127.0.1.250', conditions: [{ type: 'Ready', status: 'True' }] },
    });
    const { code, summary } = await deployFailing();
    expect(code, summary.message).toBe(1);
    expect(summary.message).toContain(`Service default/shop selects app=shop again, as before the deploy, which matches 1 ready pod this deploy did not create (shop-legacy-0): they serve ${fake.publicUrl} now`);
    expect(summary.message).not.toContain('nothing serves');
    expect(fake.get('Service', 'default', 'shop')!.spec.selector).toEqual({ app: 'shop' });
    // And it is so: the address answers, as the legacy pod.
    expect((await fetch(fake.publicUrl)).status).toBe(200);
  }, 60_000);
});
