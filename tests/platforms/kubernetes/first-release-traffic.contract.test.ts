/**
 * Contract tests: on a FIRST Kubernetes release the Service selects only the app label (`kubectl create service`
 * leaves `app=shop`), which green's pods carry too. Users must not reach green before it is ready, smoked and
 * switched to: through the real built CLI against the fake API server (tests/platforms/kubernetes/fake-cluster.ts),
 * the Service's endpoints are followed after every change the cluster sees, for the whole run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DeploySummary } from '../../../src/contracts/summary.js';
import { makeProject, runCli } from '../../cli/helpers.js';
import { ensureBuilt } from '../../setup/build.js';
import { FakeCluster, type ImageBehaviour } from './fake-cluster.js';
import { clusterConfig, commitNextImage } from './project.js';

interface Seen {
  selector: Record<string, string>;
  endpoints: string[];
  /** Ready pods of any release we created, selected or not. */
  ready: string[];
}

const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  await ensureBuilt();
}, 120_000);

afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** A fake cluster with Service shop selecting `app=shop`, the pods `seed` adds, and one first deploy whose image behaves as told. */
async function firstDeploy(seed: (fake: FakeCluster) => void, behaviour: Partial<ImageBehaviour>) {
  const fake = await FakeCluster.start();
  const dir = makeProject(clusterConfig(fake, { kubernetes: ['replicas: 2', 'smokeVia: pod-ip'] }));
  const kubeDir = mkdtempSync(join(tmpdir(), 'shipgate-kubeconfig-'));
  cleanups.push(async () => {
    await fake.close();
    for (const d of [dir, kubeDir]) rmSync(d, { recursive: true, force: true });
  });
  fake.addService('shop', { app: 'shop' });
  seed(fake);
  commitNextImage(fake, dir, behaviour);
  const seen: Seen[] = [];
  const stop = fake.onChange(() => seen.push({ selector: { ...fake.get('Service', 'default', 'shop')!.spec.selector }, endpoints: fake.endpoints('shop'), ready: readyOurs(fake) }));
  const r = await runCli(['staging', '--yes', '--json'], { cwd: dir, env: { KUBECONFIG: fake.writeKubeconfig(kubeDir) } });
  stop();
  const summary = JSON.parse(r.stdout) as DeploySummary;
  return { fake, code: r.code, summary, seen, green: summary.release.id };
}

const readyOurs = (fake: FakeCluster) => fake.list('Pod', 'default').filter((p) => p.metadata.labels?.release && p.status.conditions[0].status === 'True').map((p) => p.metadata.name);
const greenPods = (s: Seen, green: string) => s.endpoints.filter((name) => name.startsWith(`shop-${green}-`));

/** Someone's own ready pod with the app label (what served before shipgate was adopted), from their own Deployment. */
function legacyPod(fake: FakeCluster, labels: Record<string, string> = { app: 'shop', 'pod-template-hash': '6d4cf56db9' }): void {
  fake.put({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'shop-legacy-0', namespace: 'default', labels, annotations: { image: 'registry.test/shop-legacy:1' } },
    spec: { containers: [{ name: 'app', image: 'registry.test/shop-legacy:1' }] },
    status: { phase: 'Running', podIP: '127.0.1.250', conditions: [{ type: 'Ready', status: 'True' }] },
  });
}

describe('a first release on kubernetes gets no traffic before the switch (contract test against a fake API server)', () => {
  it('contract test: onto a Service whose pods we did not create: they serve until the switch, green only after it', async () => {
    const { fake, code, summary, seen, green } = await firstDeploy(legacyPod, {});
    expect(code, summary.message).toBe(0);
    const switched = seen.findIndex((s) => s.selector.release === green);
    expect(switched, 'the Service was switched to green').toBeGreaterThan(0);
    const before = seen.slice(0, switched);
    // Green's pods were ready (and smoked) before the switch, yet no snapshot has them as endpoints.
    expect(before.some((s) => s.ready.length > 0), 'green was ready before the switch').toBe(true);
    expect(before.filter((s) => greenPods(s, green).length > 0)).toEqual([]);
    expect(before.every((s) => s.endpoints.includes('shop-legacy-0')), 'the legacy pod kept serving until the switch').toBe(true);
    // Held on the one label the legacy pods have and green's do not, before green was created.
    expect(before.map((s) => s.selector)).toContainEqual({ app: 'shop', 'pod-template-hash': '6d4cf56db9' });
    expect(fake.get('Service', 'default', 'shop')!.spec.selector).toEqual({ app: 'shop', release: green });
    expect(fake.endpoints('shop').sort()).toEqual([`shop-${green}-p-0`, `shop-${green}-p-1`]);
  }, 60_000);

  it('contract test: onto a Service with no pods, green failing its smoke test: never an endpoint, the selector as before', async () => {
    const { fake, code, summary, seen, green } = await firstDeploy(() => undefined, { errorRate: 1 });
    expect(code, summary.message).toBe(1);
    expect(seen.some((s) => s.selector.release === green), 'never switched').toBe(false);
    expect(seen.some((s) => s.ready.length > 0), 'green was ready before its smoke test failed').toBe(true);
    expect(seen.filter((s) => greenPods(s, green).length > 0)).toEqual([]);
    expect(fake.get('Service', 'default', 'shop')!.spec.selector).toEqual({ app: 'shop' });
    expect(fake.get('Deployment', 'default', `shop-${green}`)).toBeUndefined();
  }, 60_000);

  it('contract test: onto a Service whose pods share no label green lacks: refused before anything changes (exit 3)', async () => {
    const { fake, code, summary } = await firstDeploy((f) => legacyPod(f, { app: 'shop' }), {});
    expect(code, summary.message).toBe(3);
    expect(summary.message).toContain('kubernetes.service: Service default/shop selects app=shop, which green\'s pods match too');
    expect(summary.message).toContain('(shop-legacy-0)');
    expect(fake.patches()).toEqual([]);
    expect(fake.list('Deployment')).toEqual([]);
    expect(fake.endpoints('shop')).toEqual(['shop-legacy-0']);
  }, 60_000);
});
