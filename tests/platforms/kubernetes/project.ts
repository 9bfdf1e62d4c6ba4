import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeploySummary } from '../../../src/contracts/summary.js';
import { makeProject, runCli } from '../../cli/helpers.js';
import { ensureBuilt } from '../../setup/build.js';
import { FakeCluster, type ImageBehaviour } from './fake-cluster.js';

/**
 * deploy.config.yaml for a project deployed to the fake cluster: what every contract test shares, plus `settings`
 * (top-level lines) and `kubernetes` (lines inside the `kubernetes:` block).
 */
export function clusterConfig(fake: FakeCluster, extra: { settings?: string[]; kubernetes?: string[] } = {}): string {
  return [
    'app: shop',
    'platform: kubernetes',
    'tests: false',
    'migrations: none',
    `url: ${fake.publicUrl}`,
    'health: { path: /health, interval: 40ms, timeout: 8s }',
    'verify: { smoke: ["GET /"], errorRate: 1%, p95: 3s, window: 800ms, minRequests: 10 }',
    ...(extra.settings ?? []),
    'kubernetes:',
    '  namespace: default',
    '  image: "registry.test/shop:${commit}"',
    `  port: ${fake.appPort}`,
    '  service: shop',
    '  scaleDownDelay: 0s',
    ...(extra.kubernetes ?? []).map((line) => `  ${line}`),
    'environments: { staging: {} }',
    '',
  ].join('\n');
}

/** A new commit in the project (so the next deploy has a new image tag) whose image behaves as told; returns the image. */
export function commitNextImage(fake: FakeCluster, dir: string, behaviour: Partial<ImageBehaviour> = {}): string {
  execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '--allow-empty', '-m', 'next'], { cwd: dir });
  const image = `registry.test/shop:${execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir }).toString().trim()}`;
  fake.images.set(image, behaviour);
  return image;
}

/** A fake cluster with Service `shop` and a canary project (steps 25 → 100) already deployed to it once. */
export interface CanaryProject {
  fake: FakeCluster;
  dir: string;
  /** KUBECONFIG for CLI runs against the fake cluster. */
  env: Record<string, string>;
  /** The first deploy, which put blue in place. */
  first: CliDeploy;
  deploy(): Promise<CliDeploy>;
  nextImage(behaviour?: Partial<ImageBehaviour>): void;
  /** The Service's selector now. */
  selector(): Record<string, string>;
  close(): Promise<void>;
}

export interface CliDeploy {
  code: number | null;
  summary: DeploySummary;
  stderr: string;
}

/** What the canary contract tests share; `prepare` adds cluster objects (an HTTPRoute) before the first deploy. */
export async function canaryProject(kubernetes: string[], prepare: (fake: FakeCluster) => void = () => undefined): Promise<CanaryProject> {
  await ensureBuilt();
  const fake = await FakeCluster.start();
  fake.addService('shop', { app: 'shop' });
  prepare(fake);
  const dir = makeProject(clusterConfig(fake, { settings: ['strategy: canary', 'canary: { steps: [25, 100], interval: 500ms }'], kubernetes }));
  const kubeDir = mkdtempSync(join(tmpdir(), 'shipgate-kubeconfig-'));
  const env = { KUBECONFIG: fake.writeKubeconfig(kubeDir) };
  const deploy = async (): Promise<CliDeploy> => {
    const r = await runCli(['staging', '--yes', '--json'], { cwd: dir, env });
    return { code: r.code, summary: JSON.parse(r.stdout) as DeploySummary, stderr: r.stderr };
  };
  const nextImage = (behaviour: Partial<ImageBehaviour> = {}) => void commitNextImage(fake, dir, behaviour);
  nextImage();
  const first = await deploy();
  return {
    fake,
    dir,
    env,
    first,
    deploy,
    nextImage,
    selector: () => fake.get('Service', 'default', 'shop')!.spec.selector,
    close: async () => {
      await fake.close();
      for (const d of [dir, kubeDir]) rmSync(d, { recursive: true, force: true });
    },
  };
}
