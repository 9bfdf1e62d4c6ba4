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
  };
}

function interruptedRun(selector: Record<string, string>): void {
  fake.addService('shop', selector);
  fake.put({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: GREEN, namespace: 'default', labels: { app: 'shop' } }, spec: { replicas: 2 } });
  fake.put({ apiVersion: 'v1', kind: 'Secret', metadata: { name: `${GREEN}-env`, namespace: 'default' }, data: {} });
  mkdirSync(join(dir, '.deploy', 'staging'), { recursive: true });
  writeFileSync(
    join(dir, '.deploy', 'staging', 'kubernetes-run.json'),
    JSON.stringify({ namespace: 'default', service: 'shop', from: { app: 'shop', release: 'blue1' }, to: { app: 'shop', release: '20261127-100000-bbbbbbb' }, shared: null, green: GREEN, secret: `${GREEN}-env`, created: [] }),
  );
}

const journal = { phase: 'verifying', release: '20261127-100000-bbbbbbb', from: 'blue1' } as Journal;

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
});
