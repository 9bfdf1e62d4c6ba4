/**
 * Contract tests: the kubernetes platform end to end through the REAL built CLI (dist/src/cli/main.js), with
 * KUBECONFIG pointing at a fake API server (tests/platforms/kubernetes/fake-cluster.ts). No Kubernetes API
 * server can run here, so the fake stands in for it; pods are stood in for by a real HTTP server reached on
 * per-release loopback IPs (`smokeVia: pod-ip`, no real port-forward), and `url` by a real server answering as
 * the release the Service selects.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DeploySummary } from '../../../src/contracts/summary.js';
import { makeProject, runCli } from '../../cli/helpers.js';
import { ensureBuilt } from '../../setup/build.js';
import { clusterConfig, commitNextImage } from './project.js';
import { FakeCluster, type ImageBehaviour } from './fake-cluster.js';

const SECRET = 'sk_live_contract_4b1d9e77';
let fake: FakeCluster;
let dir = '';
let kubeconfig = '';

/** A new commit (so a new image tag) whose image behaves as told. */
function nextImage(behaviour: Partial<ImageBehaviour> = {}): string {
  return commitNextImage(fake, dir, behaviour);
}

async function deploy(...args: string[]): Promise<{ code: number | null; summary: DeploySummary; stdout: string; stderr: string }> {
  const r = await runCli(['staging', '--yes', '--json', ...args], { cwd: dir, env: { KUBECONFIG: kubeconfig, SESSION_SECRET: SECRET } });
  let summary: DeploySummary;
  try {
    summary = JSON.parse(r.stdout) as DeploySummary;
  } catch {
    throw new Error(`no JSON on stdout (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, summary, stdout: r.stdout, stderr: r.stderr };
}

function selector(): Record<string, string> {
  return fake.get('Service', 'default', 'shop')!.spec.selector;
}

function deployments(): string[] {
  return fake.list('Deployment', 'default').map((d) => d.metadata.name).sort();
}

async function freshCluster(): Promise<string> {
  await fake?.close();
  fake = await FakeCluster.start();
  fake.addService('shop', { app: 'shop' });
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = makeProject(clusterConfig(fake, { settings: ['env: { required: [SESSION_SECRET] }'], kubernetes: ['replicas: 2', 'smokeVia: pod-ip'] }));
  kubeconfig = fake.writeKubeconfig(mkdtempSync(join(tmpdir(), 'shipgate-kubeconfig-')));
  // A first verified release to be blue.
  nextImage();
  const first = await deploy();
  expect(first.summary.message ?? '', first.stderr).toBe('');
  expect(first.code, JSON.stringify(first.summary.checks)).toBe(0);
  return first.summary.release.id;
}

beforeAll(async () => {
  await ensureBuilt();
}, 120_000);

afterAll(async () => {
  await fake?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('kubernetes platform (contract test against a fake API server)', () => {
  let blue = '';
  beforeAll(async () => {
    blue = await freshCluster();
  }, 60_000);
  afterEach(() => {
    fake.interceptors = [];
  });

  it('contract test: success — green Deployment with a Secret, guarded selector switch, verify, blue scaled to 0', async () => {
    const image = nextImage();
    const before = fake.requests.length;
    const { code, summary, stdout, stderr } = await deploy();
    expect(summary.message ?? '', stderr).toBe('');
    expect(code).toBe(0);
    expect(summary).toMatchObject({ status: 'success', platform: 'kubernetes' });
    const green = summary.release.id;
    expect(selector()).toEqual({ app: 'shop', release: green });

    const greenDeploy = fake.get('Deployment', 'default', `shop-${green}`)!;
    expect(greenDeploy.metadata.labels).toMatchObject({ app: 'shop', release: green, slot: 'blue' });
    expect(greenDeploy.spec.template.spec.containers[0].image).toBe(image);
    expect(greenDeploy.spec.template.spec.containers[0].readinessProbe.httpGet.path).toBe('/health');
    expect(greenDeploy.spec.template.spec.containers[0].envFrom).toEqual([{ secretRef: { name: `shop-${green}-env` } }]);
    // The secret reaches the cluster only base64-encoded in the Secret, never in the Deployment or our output.
    expect(JSON.stringify(greenDeploy)).not.toContain(SECRET);
    expect(fake.get('Secret', 'default', `shop-${green}-env`)!.data.SESSION_SECRET).toBe(Buffer.from(SECRET).toString('base64'));
    expect(stdout + stderr).not.toContain(SECRET);

    const blueDeploy = fake.get('Deployment', 'default', `shop-${blue}`)!;
    expect(blueDeploy.spec.replicas).toBe(0);
    expect(blueDeploy.metadata.labels.slot).toBe('previous');

    const servicePatches = fake.requests.slice(before).filter((r) => r.method === 'PATCH' && r.path.endsWith('/services/shop'));
    expect(servicePatches).toHaveLength(1);
    expect(servicePatches[0]!.contentType).toBe('application/json-patch+json');
    expect(servicePatches[0]!.body).toEqual([
      { op: 'test', path: '/spec/selector', value: { app: 'shop', release: blue } },
      { op: 'replace', path: '/spec/selector', value: { app: 'shop', release: green } },
    ]);
    blue = green;
  }, 60_000);

  it('contract test: green never ready — deadline, exit 1, nothing switched, green deleted', async () => {
    writeHealthTimeout('1500ms');
    nextImage({ pods: 'never' });
    try {
      const { code, summary } = await deploy();
      expect(code).toBe(1);
      expect(summary.status).toBe('failed');
      expect(summary.message).toMatch(/not ready within 1500 ms/);
      expect(selector()).toEqual({ app: 'shop', release: blue });
      expect(deployments()).not.toContain(`shop-${summary.release.id}`);
      expect(fake.get('Secret', 'default', `shop-${summary.release.id}-env`)).toBeUndefined();
    } finally {
      writeHealthTimeout('8s');
    }
  }, 60_000);

  it.each([
    ['crashloop', 'CrashLoopBackOff'],
    ['imagepull', 'ImagePullBackOff'],
  ] as const)('contract test: %s is detected from the pod status long before the deadline, exit 1', async (mode, reason) => {
    writeHealthTimeout('60s');
    nextImage({ pods: mode });
    try {
      const { code, summary } = await deploy();
      expect(code).toBe(1);
      expect(summary.message).toContain(reason);
      expect(summary.durationMs).toBeLessThan(60_000);
      expect(selector()).toEqual({ app: 'shop', release: blue });
      expect(deployments()).not.toContain(`shop-${summary.release.id}`);
    } finally {
      writeHealthTimeout('8s');
    }
  }, 90_000);

  it('contract test: verification failure patches the selector back to blue, verifies again, exit 1', async () => {
    nextImage({ errorRate: 0.3 });
    const before = fake.requests.length;
    const { code, summary } = await deploy();
    expect(code).toBe(1);
    expect(summary.status).toBe('rolled_back');
    expect(summary.rollback).toMatchObject({ performed: true, verified: true });
    expect(summary.checks.post.find((c) => !c.ok)?.name).toMatch(/Error Rate|Smoke/);
    expect(selector()).toEqual({ app: 'shop', release: blue });
    const green = summary.release.id;
    const servicePatches = fake.requests.slice(before).filter((r) => r.method === 'PATCH' && r.path.endsWith('/services/shop'));
    expect(servicePatches.map((p) => p.body)).toEqual([
      [{ op: 'test', path: '/spec/selector', value: { app: 'shop', release: blue } }, { op: 'replace', path: '/spec/selector', value: { app: 'shop', release: green } }],
      [{ op: 'test', path: '/spec/selector', value: { app: 'shop', release: green } }, { op: 'replace', path: '/spec/selector', value: { app: 'shop', release: blue } }],
    ]);
    // Blue stayed scaled up through it all; green is gone.
    expect(fake.get('Deployment', 'default', `shop-${blue}`)!.spec.replicas).toBe(2);
    expect(deployments()).not.toContain(`shop-${green}`);
  }, 60_000);

  it('contract test: selector changed by someone else — the test op gets 422, abort safely, exit 1', async () => {
    nextImage();
    const theirs = { app: 'shop', release: 'hotfix-by-hand' };
    fake.interceptors.push(({ method, path }) => {
      if (method === 'PATCH' && path.endsWith('/services/shop')) {
        const svc = fake.get('Service', 'default', 'shop')!;
        if (svc.spec.selector.release !== theirs.release) fake.put({ ...svc, spec: { ...svc.spec, selector: theirs } });
      }
      return null;
    });
    const { code, summary } = await deploy();
    expect(code).toBe(1);
    expect(summary.message).toMatch(/selector changed during the deploy/);
    expect(selector()).toEqual(theirs);
    expect(deployments()).not.toContain(`shop-${summary.release.id}`);
    const svc = fake.get('Service', 'default', 'shop')!;
    fake.put({ ...svc, spec: { ...svc.spec, selector: { app: 'shop', release: blue } } });
  }, 60_000);

  it('contract test: API server failing mid-switch — exit 4 with an exact state report', async () => {
    nextImage();
    fake.interceptors.push(({ method, path }) => (method === 'PATCH' && path.endsWith('/services/shop') ? { status: 503 } : null));
    const { code, summary } = await deploy();
    expect(code).toBe(4);
    const green = summary.release.id;
    expect(summary.message).toContain('the switch patch failed');
    expect(summary.message).toContain(`Service default/shop selects app=shop,release=${blue} (traffic on blue ${blue})`);
    expect(summary.message).toContain(`Deployment default/shop-${green} (green): 2/2 ready`);
    expect(summary.message).toContain(`Deployment default/shop-${blue} (blue): 2/2 ready`);
    // Nothing is cleaned up behind the user's back when the state is uncertain.
    expect(deployments()).toContain(`shop-${green}`);
    fake.interceptors = [];
    await deleteDeployment(`shop-${green}`);
  }, 60_000);

  it('contract test: API server gone mid-switch — exit 4, says what it could not read and what it last knew', async () => {
    nextImage();
    let down = false;
    fake.interceptors.push(({ method, path }) => {
      if (method === 'PATCH' && path.endsWith('/services/shop')) down = true;
      return down ? 'hang-up' : null;
    });
    const { code, summary } = await deploy();
    expect(code).toBe(4);
    expect(summary.message).toContain('Service default/shop: could not be read');
    expect(summary.message).toContain(`last known: the selector was app=shop,release=${blue} when the switch patch was sent`);
    fake.interceptors = [];
    await deleteDeployment(`shop-${summary.release.id}`);
  }, 60_000);

  it('contract test: deploy rollback scales the previous release back up and switches to it', async () => {
    nextImage();
    const next = await deploy();
    expect(next.code).toBe(0);
    const r = await runCli(['rollback', 'staging', '--yes', '--json'], { cwd: dir, env: { KUBECONFIG: kubeconfig, SESSION_SECRET: SECRET } });
    const summary = JSON.parse(r.stdout) as DeploySummary;
    expect(summary.message ?? '', r.stderr).toMatch(new RegExp(`^rolled back to ${blue} in `));
    expect(r.code).toBe(0);
    expect(summary.rollback).toMatchObject({ performed: true, verified: true });
    expect(selector()).toEqual({ app: 'shop', release: blue });
    expect(fake.get('Deployment', 'default', `shop-${next.summary.release.id}`)!.spec.replicas).toBe(0);
  }, 60_000);
});

function writeHealthTimeout(timeout: string): void {
  const path = `${dir}/deploy.config.yaml`;
  writeFileSync(path, readFileSync(path, 'utf8').replace(/timeout: [^ }]+/, `timeout: ${timeout}`));
  execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '-am', `timeout ${timeout}`], { cwd: dir });
}

async function deleteDeployment(name: string): Promise<void> {
  const d = fake.get('Deployment', 'default', name);
  if (d) fake.objects.delete(fake.key('Deployment', 'default', name));
}
