import { describe, expect, it } from 'vitest';
import { imageFor } from '../../../src/platforms/kubernetes/config.js';
import { resolveEnvironment } from '../../../src/config/resolve.js';
import { failure, project } from '../../config/helpers.js';

const CONFIG = `app: shop
platform: kubernetes
kubernetes:
  namespace: shop
  image: "registry.example/shop:\${commit}"
  service: shop
environments:
  staging: {}
  production:
    kubernetes: { replicas: 4, context: prod-cluster, gateway: { route: shop }, scaleDownDelay: 1m }
`;

describe('kubernetes config', () => {
  it('keeps ${commit} in the image for the driver (not ${VAR} interpolation), merges per environment, fills defaults', async () => {
    const staging = await resolveEnvironment(project(CONFIG), 'staging', { env: {} });
    expect(staging.missingVars).toEqual([]);
    expect(staging.kubernetes).toEqual({
      context: null,
      namespace: 'shop',
      image: 'registry.example/shop:${commit}',
      replicas: 2,
      port: 3000,
      service: 'shop',
      gateway: null,
      argoRollouts: false,
      scaleDownDelayMs: 30_000,
      smokeVia: 'port-forward',
    });
    const production = await resolveEnvironment(project(CONFIG), 'production', { env: {} });
    expect(production.kubernetes).toMatchObject({ replicas: 4, context: 'prod-cluster', gateway: { route: 'shop' }, scaleDownDelayMs: 60_000, namespace: 'shop' });
    expect(imageFor(staging.kubernetes!.image, { commit: 'f'.repeat(40), release: 'r1' })).toBe(`registry.example/shop:${'f'.repeat(40)}`);
  });

  it('still interpolates ordinary ${VAR}s in the image', async () => {
    const config = CONFIG.replace('registry.example', '${REGISTRY}');
    const env = await resolveEnvironment(project(config), 'staging', { env: { REGISTRY: 'ghcr.io/acme' } });
    expect(env.kubernetes!.image).toBe('ghcr.io/acme/shop:${commit}');
  });

  it('names the failing path for missing or wrong settings, exit 2', async () => {
    const f = await failure(
      resolveEnvironment(
        project(`app: shop
platform: kubernetes
kubernetes: { namespace: Shop_NS, image: registry.example/shop }
environments:
  production: { kubernetes: { replicas: 0, smokeVia: tunnel } }
`),
        'production',
        { env: {} },
      ),
    );
    expect(f.exitCode).toBe(2);
    const text = f.lines.join('\n');
    expect(text).toContain('kubernetes.namespace: expected a Kubernetes name');
    expect(text).toContain('environments.production.kubernetes.replicas');
    expect(text).toContain('environments.production.kubernetes.smokeVia');
  });

  it('requires namespace, image (with a tag) and service once merged', async () => {
    const f = await failure(resolveEnvironment(project(`app: shop
platform: kubernetes
kubernetes: { image: registry.example/shop }
environments: { production: {} }
`), 'production', { env: {} }));
    const text = f.lines.join('\n');
    expect(text).toContain('environments.production.kubernetes.namespace: required for the kubernetes platform');
    expect(text).toContain('environments.production.kubernetes.service: required');
    expect(text).toContain('environments.production.kubernetes.image: needs a tag or digest');
  });
});

describe('run deadline on kubernetes', () => {
  it('adds the scale-down delay, and one readiness wait per replica-ratio canary step', async () => {
    const { runDeadlineMs } = await import('../../../src/orchestrator/plan.js');
    const base = {
      platform: 'kubernetes',
      tests: { skip: true, timeoutMs: 0 },
      build: null,
      strategy: 'blue-green',
      canary: { steps: [0.1, 0.5, 1], intervalMs: 1_000 },
      verify: { windowMs: 30_000 },
      health: { timeoutMs: 60_000 },
      drainTimeoutMs: 30_000,
      railway: null,
      kubernetes: null,
    } as unknown as Parameters<typeof runDeadlineMs>[0];
    const cluster = { scaleDownDelayMs: 30_000, gateway: null } as unknown as NonNullable<Parameters<typeof runDeadlineMs>[0]['kubernetes']>;
    const blueGreen = { ...base, kubernetes: cluster };
    expect(runDeadlineMs(blueGreen, 'deploy', false) - runDeadlineMs(base, 'deploy', false)).toBe(30_000 + 60_000);
    const ratioCanary = { ...base, strategy: 'canary', kubernetes: cluster } as typeof base;
    const canaryBase = { ...base, strategy: 'canary' } as typeof base;
    expect(runDeadlineMs(ratioCanary, 'deploy', false) - runDeadlineMs(canaryBase, 'deploy', false)).toBe(30_000 + 3 * 60_000);
  });
});
