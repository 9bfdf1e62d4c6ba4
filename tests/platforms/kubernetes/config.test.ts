import { describe, expect, it } from 'vitest';
import { imageFor } from '../../../src/config/kubernetes-schema.js';
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
