/**
 * Contract test: recovery of a killed kubernetes deploy (driver.recover) against the fake API server. The run's
 * record (.deploy/<env>/kubernetes-run.json, written before green is created) says what to undo.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveEnvironment } from '../../../src/config/resolve.js';
import type { Journal } from '../../../src/journal/journal.js';
import type { DeployContext } from '../../../src/orchestrator/types.js';
import { createDriver } from '../../../src/platforms/kubernetes/driver.js';
import { StateStore } from '../../../src/state/store.js';
import { realClock } from '../../../src/verify/clock.js';
import { FakeCluster } from './fake-cluster.js';

let fake: FakeCluster;
let dir = '';
const GREEN = 'shop-20261127-100000-bbbbbbb';

beforeAll(async () => {
  fake = await FakeCluster.start();
  dir = mkdtempSync(join(tmpdir(), 'shipgate-k8s-recover-'));
  writeFileSync(join(dir, 'deploy.config.yaml'), 'app: shop\nplatform: kubernetes\nkubernetes: { namespace: default, image: "r/shop:${commit}", service: shop }\nenvironments: { staging: {} }\n');
  process.env.KUBECONFIG = fake.writeKubeconfig(dir);
});

afterAll(async () => {
  delete process.env.KUBECONFIG;
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

async function context(): Promise<DeployContext> {
  const config = await resolveEnvironment(dir, 'staging', { env: {} });
  return {
    config,
    plan: { config } as never,
    executor: null as never,
    emit: () => undefined,
    signal: new AbortController().signal,
    clock: realClock,
    state: new StateStore(dir, 'staging'),
    defer: () => undefined,
    log: () => undefined,
    step: () => undefined,
  };
}

function interruptedRun(selector: Record<string, string>, first: { from: Record<string, string>; held: Record<string, string> } | null = null): void {
  fake.addService('shop', selector);
  fake.put({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: GREEN, namespace: 'default', labels: { app: 'shop' } }, spec: { replicas: 2 } });
  fake.put({ apiVersion: 'v1', kind: 'Secret', metadata: { name: `${GREEN}-env`, namespace: 'default' }, data: {} });
  mkdirSync(join(dir, '.deploy', 'staging'), { recursive: true });
  writeFileSync(
    join(dir, '.deploy', 'staging', 'kubernetes-run.json'),
    JSON.stringify({ namespace: 'default', service: 'shop', from: first?.from ?? { app: 'shop', release: 'blue1' }, to: { app: 'shop', release: '20261127-100000-bbbbbbb' }, shared: null, held: first?.held ?? null, green: GREEN, secret: `${GREEN}-env`, created: [] }),
  );
}

const journal = { phase: 'verifying', release: '20261127-100000-bbbbbbb', from: 'blue1' } as Journal;

describe('pruning old releases (contract test against a fake API server)', () => {
  it('contract test: keeps releases.keep Deployments (newest first) plus the live one and blue, deletes the rest with their Secrets', async () => {
    const { connectKube } = await import('../../../src/platforms/kubernetes/api.js');
    const { pruneReleases } = await import('../../../src/platforms/kubernetes/prune.js');
    const ids = ['20261120-000000-aaaaaa1', '20261121-000000-aaaaaa2', '20261122-000000-aaaaaa3', '20261123-000000-aaaaaa4'];
    for (const id of ids) {
      fake.put({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `shop-${id}`, namespace: 'default', labels: { app: 'shop', release: id, 'app.kubernetes.io/managed-by': 'shipgate' } }, spec: { replicas: 0 } });
      fake.put({ apiVersion: 'v1', kind: 'Secret', metadata: { name: `shop-${id}-env`, namespace: 'default' }, data: {} });
    }
    fake.put({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'someone-elses', namespace: 'default', labels: { app: 'shop' } }, spec: { replicas: 1 } });
    const ctx = await context();
    ctx.config.releases.keep = 2;
    const pruned = await pruneReleases(ctx, await connectKube({ context: null }), [ids[0]!]);
    expect(pruned).toEqual([ids[1]]);
    expect(fake.get('Deployment', 'default', `shop-${ids[1]}`)).toBeUndefined();
    expect(fake.get('Secret', 'default', `shop-${ids[1]}-env`)).toBeUndefined();
    for (const id of [ids[0]!, ids[2]!, ids[3]!]) expect(fake.get('Deployment', 'default', `shop-${id}`)).toBeDefined();
    expect(fake.get('Deployment', 'default', 'someone-elses')).toBeDefined();
  });
});

describe('recovery of a killed kubernetes deploy (contract test against a fake API server)', () => {
  it('contract test: the Service on the killed run\'s green goes back to blue (guarded), green and its Secret are deleted', async () => {
    interruptedRun({ app: 'shop', release: '20261127-100000-bbbbbbb' });
    const result = await createDriver().recover!(await context(), journal);
    expect(result).toMatchObject({ ok: true, active: 'blue1', stopped: [GREEN] });
    expect(fake.get('Service', 'default', 'shop')!.spec.selector).toEqual({ app: 'shop', release: 'blue1' });
    const patch = fake.patches('services').at(-1)!;
    expect(patch.body[0]).toEqual({ op: 'test', path: '/spec/selector', value: { app: 'shop', release: '20261127-100000-bbbbbbb' } });
    expect(fake.get('Deployment', 'default', GREEN)).toBeUndefined();
    expect(fake.get('Secret', 'default', `${GREEN}-env`)).toBeUndefined();
  });

  it('contract test: a selector someone else set since is left alone and reported', async () => {
    interruptedRun({ app: 'shop', release: 'hand-made' });
    const result = await createDriver().recover!(await context(), journal);
    expect(result.ok).toBe(false);
    expect(result.message).toContain('selects app=shop,release=hand-made, neither');
    expect(fake.get('Service', 'default', 'shop')!.spec.selector).toEqual({ app: 'shop', release: 'hand-made' });
    expect(fake.get('Deployment', 'default', GREEN)).toBeDefined();
  });

  it('contract test: a first run killed while the Service was held off green: green is deleted, then the selector from before is put back', async () => {
    const held = { app: 'shop', track: 'legacy' };
    interruptedRun(held, { from: { app: 'shop' }, held });
    const before = fake.requests.length;
    const result = await createDriver().recover!(await context(), journal);
    expect(result).toMatchObject({ ok: true, stopped: [GREEN] });
    expect(fake.get('Service', 'default', 'shop')!.spec.selector).toEqual({ app: 'shop' });
    expect(fake.get('Deployment', 'default', GREEN)).toBeUndefined();
    // Green went first: the selector from before matches green's pods while they run.
    const writes = fake.requests.slice(before).filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path.split('/').slice(-2).join('/')}`);
    expect(writes).toEqual([`DELETE deployments/${GREEN}`, `DELETE secrets/${GREEN}-env`, 'PATCH services/shop']);
    expect(fake.patches('services').at(-1)!.body[0]).toEqual({ op: 'test', path: '/spec/selector', value: held });
  });
});
