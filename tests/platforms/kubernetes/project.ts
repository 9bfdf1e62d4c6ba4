import { execFileSync } from 'node:child_process';
import type { FakeCluster, ImageBehaviour } from './fake-cluster.js';

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
