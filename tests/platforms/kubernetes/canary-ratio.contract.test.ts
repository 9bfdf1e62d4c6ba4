/**
 * Contract tests: the replica-ratio canary (no gateway.route) through the REAL built CLI against the fake API
 * server (tests/platforms/kubernetes/fake-cluster.ts): green grows beside blue's full replicas while the Service
 * selects both, each step judged by the local canary's step gate, and the output says the split is approximate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canaryProject, type CanaryProject } from './project.js';

let project: CanaryProject;
let fake: CanaryProject['fake'];
let deploy: CanaryProject['deploy'];
let nextImage: CanaryProject['nextImage'];
let selector: CanaryProject['selector'];

beforeAll(async () => {
  project = await canaryProject(['smokeVia: pod-ip']);
  ({ fake, deploy, nextImage, selector } = project);
  expect(project.first.code, project.first.summary.message).toBe(0);
}, 120_000);

afterAll(async () => {
  await project?.close();
});

describe('replica-ratio canary (contract test against a fake API server)', () => {
  it('contract test: green grows beside blue, the Service selects both, then green alone; the output says the split is approximate', async () => {
    const blue = selector().release as string;
    nextImage();
    const before = fake.requests.length;
    const { code, summary, stderr } = await deploy();
    expect(code, summary.message).toBe(0);
    expect(stderr).toContain('only approximates');
    expect(stderr).toMatch(/approximate split by replica ratio: 1 green pod\(s\) beside 2 blue \(33% of pods\)/);
    // The last step (100%) is the promotion, judged like the others (src/rollout/canary.ts).
    expect(summary.steps?.map((s) => [s.percent, s.ok])).toEqual([[25, true], [100, true]]);
    const green = summary.release.id;
    const patches = fake.requests.slice(before).filter((r) => r.method === 'PATCH').map((r) => [r.path.split('/').slice(-2).join('/'), (r.body as Array<{ op: string; value: unknown }>).filter((o) => o.op !== 'test').map((o) => o.value)]);
    expect(patches).toEqual([
      [`deployments/shop-${green}`, [1, 'green']],
      ['services/shop', [{ app: 'shop' }]],
      [`deployments/shop-${green}`, [2, 'green']],
      ['services/shop', [{ app: 'shop', release: green }]],
      [`deployments/shop-${green}`, ['blue']],
      [`deployments/shop-${blue}`, [0, 'previous']],
    ]);
    expect(selector()).toEqual({ app: 'shop', release: green });
    expect(fake.get('Deployment', 'default', `shop-${blue}`)!.spec.replicas).toBe(0);
  }, 90_000);

  it('contract test: a failing step puts the Service back on blue alone and deletes green, exit 1', async () => {
    const blue = selector().release as string;
    nextImage({ errorRate: 0.3 });
    const { code, summary } = await deploy();
    expect(code).toBe(1);
    expect(summary.status).toBe('rolled_back');
    expect(summary.message).toMatch(/^Canary 25%: /);
    expect(summary.message).toContain('the Service back to blue alone');
    expect(selector()).toEqual({ app: 'shop', release: blue });
    expect(fake.get('Deployment', 'default', `shop-${blue}`)!.spec.replicas).toBe(2);
    expect(fake.get('Deployment', 'default', `shop-${summary.release.id}`)).toBeUndefined();
  }, 90_000);
});
