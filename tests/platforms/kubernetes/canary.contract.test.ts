/**
 * Contract tests: the Gateway API canary through the REAL built CLI against the fake API server
 * (tests/platforms/kubernetes/fake-cluster.ts). Each step patches the HTTPRoute's backendRefs weights with a
 * `test`-guarded JSON patch and is judged by the local canary's step gate; green and blue are probed directly
 * (pod stand-ins on loopback IPs, `smokeVia: pod-ip`).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploySummary } from '../../../src/contracts/summary.js';
import { runCli } from '../../cli/helpers.js';
import { canaryProject, type CanaryProject } from './project.js';

const ORIGINAL_REFS = [{ name: 'shop', port: 80 }];
let project: CanaryProject;
let fake: CanaryProject['fake'];
let dir: string;
let deploy: CanaryProject['deploy'];
let nextImage: CanaryProject['nextImage'];
let selector: CanaryProject['selector'];

const routeRefs = () => fake.get('HTTPRoute', 'default', 'shop')!.spec.rules[0].backendRefs;

beforeAll(async () => {
  project = await canaryProject(['gateway: { route: shop }', 'smokeVia: pod-ip'], (cluster) => {
    cluster.put({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'shop', namespace: 'default' }, spec: { parentRefs: [{ name: 'public' }], rules: [{ backendRefs: ORIGINAL_REFS }] } });
  });
  ({ fake, dir, deploy, nextImage, selector } = project);
  expect(project.first.code, project.first.summary.message).toBe(0);
}, 120_000);

afterAll(async () => {
  await project?.close();
});

describe('Gateway API canary (contract test against a fake API server)', () => {
  it('contract test: weights step through the HTTPRoute, then the Service moves to green and the route is restored', async () => {
    const blue = selector().release as string;
    nextImage();
    const before = fake.requests.length;
    const { code, summary } = await deploy();
    expect(code, summary.message).toBe(0);
    // The last step (100%) is the promotion, judged like the others (src/rollout/canary.ts).
    expect(summary.steps?.map((s) => [s.percent, s.ok])).toEqual([[25, true], [100, true]]);
    expect(summary.steps![0]!.baseline!.requests).toBeGreaterThanOrEqual(10);
    const green = summary.release.id;
    const routePatches = fake.requests.slice(before).filter((r) => r.method === 'PATCH' && r.path.endsWith('/httproutes/shop'));
    expect(routePatches.map((p) => p.body)).toEqual([
      [
        { op: 'test', path: '/spec/rules/0/backendRefs', value: ORIGINAL_REFS },
        { op: 'replace', path: '/spec/rules/0/backendRefs', value: [{ name: 'shop', port: 80, weight: 75 }, { name: 'shop-canary', port: 80, weight: 25 }] },
      ],
      [
        { op: 'test', path: '/spec/rules/0/backendRefs', value: [{ name: 'shop', port: 80, weight: 75 }, { name: 'shop-canary', port: 80, weight: 25 }] },
        { op: 'replace', path: '/spec/rules/0/backendRefs', value: ORIGINAL_REFS },
      ],
    ]);
    const posted = fake.requests.slice(before).find((r) => r.method === 'POST' && r.path.endsWith('/services'));
    expect(posted!.body.spec.selector).toEqual({ app: 'shop', release: green });
    expect(routeRefs()).toEqual(ORIGINAL_REFS);
    expect(selector()).toEqual({ app: 'shop', release: green });
    expect(fake.get('Service', 'default', 'shop-canary')).toBeUndefined();
    expect(fake.get('Deployment', 'default', `shop-${blue}`)!.spec.replicas).toBe(0);
  }, 90_000);

  it('contract test: a failing canary step restores the route, leaves the Service on blue and deletes green, exit 1', async () => {
    const blue = selector().release as string;
    nextImage({ errorRate: 0.3 });
    const { code, summary } = await deploy();
    expect(code).toBe(1);
    expect(summary.status).toBe('rolled_back');
    expect(summary.message).toMatch(/^Canary 25%: /);
    expect(summary.message).toContain('the HTTPRoute back to the Service alone');
    expect(routeRefs()).toEqual(ORIGINAL_REFS);
    expect(selector()).toEqual({ app: 'shop', release: blue });
    expect(fake.get('Deployment', 'default', `shop-${summary.release.id}`)).toBeUndefined();
    expect(fake.get('Service', 'default', 'shop-canary')).toBeUndefined();
  }, 90_000);

  it('contract test: `deploy promote` during a step skips the remaining steps; the Service moves to green', async () => {
    const path = join(dir, 'deploy.config.yaml');
    writeFileSync(path, readFileSync(path, 'utf8').replace('canary: { steps: [25, 100], interval: 500ms }', 'canary: { steps: [10, 50, 100], interval: 60s }'));
    execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '-am', 'long steps'], { cwd: dir });
    nextImage();
    const env = project.env;
    const running = runCli(['staging', '--yes', '--json'], { cwd: dir, env });
    // Wait for the first weight patch, then promote from a second CLI process.
    while (!fake.requests.some((r) => r.method === 'PATCH' && r.path.endsWith('/httproutes/shop') && JSON.stringify(r.body).includes('"weight":10'))) await new Promise((r) => setTimeout(r, 50));
    let promoted = await runCli(['promote', 'staging', '--yes'], { cwd: dir, env });
    while (promoted.code !== 0 && /no canary is running/.test(promoted.stderr)) promoted = await runCli(['promote', 'staging', '--yes'], { cwd: dir, env });
    expect(promoted.code, promoted.stderr).toBe(0);
    const r = await running;
    const summary = JSON.parse(r.stdout) as DeploySummary;
    expect(r.code, summary.message).toBe(0);
    expect(summary.steps?.map((st) => [st.percent, st.decided])).toEqual([[10, 'promote']]);
    expect(selector()).toEqual({ app: 'shop', release: summary.release.id });
    expect(routeRefs()).toEqual(ORIGINAL_REFS);
  }, 90_000);
});
