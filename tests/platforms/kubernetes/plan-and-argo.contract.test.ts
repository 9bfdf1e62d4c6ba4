/**
 * Contract tests through the REAL built CLI against the fake API server (tests/platforms/kubernetes/fake-cluster.ts):
 * `--dry-run` prints the exact manifests and patches a real run then sends, and Argo Rollouts mode promotes and
 * aborts with the kubectl-argo-rollouts plugin's patches.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { DeploySummary } from '../../../src/contracts/summary.js';
import { makeProject, runCli } from '../../cli/helpers.js';
import { ensureBuilt } from '../../setup/build.js';
import { clusterConfig, commitNextImage } from './project.js';
import { FakeCluster, type ImageBehaviour } from './fake-cluster.js';

const SECRET = 'sk_live_dryrun_93ac01ee';
const dirs: string[] = [];
const fakes: FakeCluster[] = [];

interface Setup {
  fake: FakeCluster;
  dir: string;
  run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
  deploy(): Promise<{ code: number | null; summary: DeploySummary }>;
  nextImage(b?: Partial<ImageBehaviour>): string;
}

async function setup(extra: string[] = [], smokeVia: 'pod-ip' | 'port-forward' = 'pod-ip'): Promise<Setup> {
  const fake = await FakeCluster.start();
  fakes.push(fake);
  fake.addService('shop', { app: 'shop' });
  fake.addService('shop-preview', { app: 'shop' });
  const dir = makeProject(clusterConfig(fake, { settings: ['env: { required: [SESSION_SECRET] }'], kubernetes: [`smokeVia: ${smokeVia}`, ...extra] }));
  dirs.push(dir);
  const kubeDir = mkdtempSync(join(tmpdir(), 'shipgate-kubeconfig-'));
  dirs.push(kubeDir);
  const kubeconfig = fake.writeKubeconfig(kubeDir);
  const run = (args: string[]) => runCli(args, { cwd: dir, env: { KUBECONFIG: kubeconfig, SESSION_SECRET: SECRET } });
  return {
    fake,
    dir,
    run,
    async deploy() {
      const r = await run(['staging', '--yes', '--json']);
      return { code: r.code, summary: JSON.parse(r.stdout) as DeploySummary };
    },
    nextImage: (b = {}) => commitNextImage(fake, dir, b),
  };
}

const writes = (fake: FakeCluster) => fake.requests.filter((r) => r.method !== 'GET');

beforeAll(async () => {
  await ensureBuilt();
}, 120_000);

afterAll(async () => {
  for (const f of fakes) await f.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('--dry-run on kubernetes (contract test against a fake API server)', () => {
  it('contract test: prints each manifest and patch as one YAML document, Secret values redacted, nothing sent', async () => {
    const s = await setup();
    s.nextImage();
    const r = await s.run(['staging', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Manifests:');
    expect(r.stdout).toContain('kind: Deployment');
    expect(r.stdout).toContain('kind: Secret');
    expect(r.stdout).toContain('SESSION_SECRET: <redacted>');
    expect(r.stdout).toContain('op: test');
    // The plan's steps describe the cluster flow, not the local one.
    expect(r.stdout).toMatch(/switch Service \S+'s selector from blue to green/);
    expect(r.stdout).not.toContain('.deploy/staging/releases');
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    expect(r.stdout + r.stderr).not.toContain(Buffer.from(SECRET).toString('base64'));
    expect(writes(s.fake)).toEqual([]);
  }, 60_000);

  it('contract test: --json puts them under plan.manifests, and a real run then sends exactly those objects and patches', async () => {
    const s = await setup();
    s.nextImage();
    const dry = await s.run(['staging', '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    const manifests = (JSON.parse(dry.stdout) as DeploySummary).plan?.manifests ?? [];
    const docs = manifests.map((m) => parse(m) as Record<string, any>);
    // A first deploy onto `app=shop`: the Service is held off green before it is created (hold.ts), let go only if green fails before the switch.
    expect(docs.map((d) => d.kind ?? `patch ${d.patch.target.kind}`)).toEqual(['patch Service', 'Secret', 'Deployment', 'patch Service', 'patch Service', 'patch Service', 'patch Deployment']);
    expect(writes(s.fake)).toEqual([]);

    const real = await s.deploy();
    expect(real.code, real.summary.message).toBe(0);
    const dryId = docs[2]!.metadata.labels.release as string;
    const same = (doc: unknown) => JSON.parse(JSON.stringify(doc).replaceAll(dryId, real.summary.release.id));
    const posted = writes(s.fake).filter((w) => w.method === 'POST');
    expect(posted.map((p) => p.body.kind)).toEqual(['Secret', 'Deployment']);
    expect(posted[1]!.body).toEqual(same(docs[2]));
    // The Secret's values are the only difference: redacted in the plan, base64 on the wire.
    expect({ ...posted[0]!.body, data: { SESSION_SECRET: '<redacted>' } }).toEqual(same(docs[1]));
    const patched = writes(s.fake).filter((w) => w.method === 'PATCH');
    expect(patched.map((p) => p.body)).toEqual([docs[0], docs[3], docs[6]].map((d) => same(d).patch.body));
    expect(patched[1]!.contentType).toBe(docs[3]!.patch.type);
  }, 60_000);
});

describe('port-forward tunnel (contract test against a fake API server)', () => {
  it('contract test: smokeVia port-forward smokes green through client-node PortForward (WebSocket, v4.channel.k8s.io) before the switch', async () => {
    const s = await setup([], 'port-forward');
    s.nextImage();
    const { code, summary } = await s.deploy();
    expect(code, summary.message).toBe(0);
    expect(summary.checks.post.length).toBeGreaterThan(0);
    // The fake's port-forward endpoint was used for a green pod, and the smoke result came back through it.
    expect(s.fake.forwarded.length).toBeGreaterThan(0);
    expect(s.fake.forwarded.every((pod) => pod.startsWith(`shop-${summary.release.id}-`))).toBe(true);
  }, 60_000);

  it('contract test: a green pod that fails its smoke test through the tunnel is never switched to, exit 1', async () => {
    const s = await setup([], 'port-forward');
    s.nextImage();
    expect((await s.deploy()).code).toBe(0);
    const blue = s.fake.get('Service', 'default', 'shop')!.spec.selector;
    s.nextImage({ errorRate: 1 });
    const { code, summary } = await s.deploy();
    expect(code, summary.message).toBe(1);
    expect(summary.message).toMatch(/Smoke Tests \(green\)/);
    expect(s.fake.get('Service', 'default', 'shop')!.spec.selector).toEqual(blue);
  }, 60_000);
});

describe('kubernetes pre-checks (contract test against a fake API server)', () => {
  it('contract test: a missing Service blocks with exit 3 and nothing is written to the cluster', async () => {
    const s = await setup();
    s.fake.objects.delete(s.fake.key('Service', 'default', 'shop'));
    s.nextImage();
    const r = await s.run(['staging', '--yes', '--json']);
    expect(r.code).toBe(3);
    const summary = JSON.parse(r.stdout) as DeploySummary;
    expect(summary.checks.pre.find((c) => c.name === 'Kubernetes')).toMatchObject({ ok: false, detail: 'Service default/shop not found' });
    expect(writes(s.fake)).toEqual([]);
  }, 60_000);

  it('contract test: forbidden API calls name the RBAC doc, and an unknown context is a config error naming the key', async () => {
    const s = await setup();
    s.fake.interceptors.push(({ path }) => (path.includes('/secrets') ? { status: 403 } : null));
    const forbidden = await s.run(['staging', '--dry-run', '--json']);
    expect(forbidden.code).toBe(3);
    expect(JSON.parse(forbidden.stdout).checks.pre.find((c: { name: string }) => c.name === 'Kubernetes').detail).toMatch(/listing Secrets: not allowed for the user of context fake \(403\); see the RBAC Role in docs\/platforms\/kubernetes.md/);
    s.fake.interceptors = [];
    const { readFileSync, writeFileSync } = await import('node:fs');
    const path = join(s.dir, 'deploy.config.yaml');
    writeFileSync(path, readFileSync(path, 'utf8').replace('  namespace: default', '  namespace: default\n  context: nope'));
    const unknown = await s.run(['staging', '--dry-run']);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout + unknown.stderr).toContain('kubernetes.context: "nope" is not in the kubeconfig (known: fake)');
  }, 60_000);
});

describe('Argo Rollouts interop (contract test against a fake API server and a fake Rollouts controller)', () => {
  it('contract test: generates a blueGreen Rollout and promotes the preview with the plugin\'s status patch (spec.paused is only patched when a user set it)', async () => {
    const s = await setup(['argoRollouts: true']);
    s.nextImage();
    const first = await s.deploy();
    expect(first.code, first.summary.message).toBe(0);
    const rollout = s.fake.get('Rollout', 'default', 'shop')!;
    expect(rollout.spec.strategy.blueGreen).toEqual({ activeService: 'shop', previewService: 'shop-preview', autoPromotionEnabled: false, scaleDownDelaySeconds: 0 });

    const image = s.nextImage();
    const before = s.fake.requests.length;
    const second = await s.deploy();
    expect(second.code, second.summary.message).toBe(0);
    const patches = s.fake.requests.slice(before).filter((r) => r.method === 'PATCH');
    expect(patches.map((p) => [p.path.endsWith('/status') ? 'status' : 'spec', p.contentType, p.body]), JSON.stringify(second.summary)).toEqual([
      ['status', 'application/merge-patch+json', { status: { pauseConditions: null } }],
    ]);
    const after = s.fake.get('Rollout', 'default', 'shop')!;
    expect(after.status.stableRS).toBe(after.status.currentPodHash);
    expect(after.spec.template.spec.containers[0].image).toBe(image);
  }, 120_000);

  it('contract test: a preview that fails verification is aborted with the plugin\'s abort patch; the active side never moves, exit 1', async () => {
    const s = await setup(['argoRollouts: true']);
    s.nextImage();
    const first = await s.deploy();
    expect(first.code, first.summary.message).toBe(0);
    const stable = s.fake.get('Rollout', 'default', 'shop')!.status.stableRS as string;
    s.nextImage({ errorRate: 0.3 });
    const before = s.fake.requests.length;
    const failed = await s.deploy();
    expect(failed.code).toBe(1);
    expect(failed.summary.message).toContain('aborted before promotion');
    const patches = s.fake.requests.slice(before).filter((r) => r.method === 'PATCH');
    expect(patches.map((p) => [p.path.endsWith('/status') ? 'status' : 'spec', p.body])).toEqual([['status', { status: { abort: true } }]]);
    const after = s.fake.get('Rollout', 'default', 'shop')!;
    expect(after.status.stableRS).toBe(stable);
    expect(after.status.blueGreen.activeSelector).toBe(stable);
  }, 120_000);

  it('contract test: a promotion the API refuses after a verified preview is exit 4 naming `kubectl argo rollouts get rollout`; nothing is aborted behind it', async () => {
    const s = await setup(['argoRollouts: true']);
    s.nextImage();
    expect((await s.deploy()).code).toBe(0);
    const stable = s.fake.get('Rollout', 'default', 'shop')!.status.stableRS as string;
    s.nextImage();
    s.fake.interceptors.push(({ method, path }) => (method === 'PATCH' && path.endsWith('/rollouts/shop/status') ? { status: 500 } : null));
    const before = s.fake.requests.length;
    const refused = await s.deploy();
    expect(refused.code, refused.summary.message).toBe(4);
    expect(refused.summary.message).toContain('kubectl argo rollouts get rollout shop -n default');
    // Verified in preview first; the promotion was the only patch, and no abort followed it.
    expect(refused.summary.checks.post.map((c) => c.name)).toContain('Error Rate');
    const patches = s.fake.requests.slice(before).filter((r) => r.method === 'PATCH');
    expect(patches.map((p) => p.body)).toEqual([{ status: { pauseConditions: null } }]);
    expect(s.fake.get('Rollout', 'default', 'shop')!.status.blueGreen.activeSelector).toBe(stable);
  }, 120_000);
});
