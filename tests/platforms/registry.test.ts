import { describe, expect, it } from 'vitest';
import { resolveEnvironment } from '../../src/config/resolve.js';
import { ConfigSchema } from '../../src/config/schema.js';
import { PLATFORMS, platformSpec } from '../../src/platforms/registry.js';
import { failure, project } from '../config/helpers.js';

const RAILWAY = `app: shop
platform: railway
railway: { project: p1, service: web }
environments:
  staging: {}
`;

describe('platform registry', () => {
  it('every platform declares its capabilities, and the schema accepts exactly the registered names and sections', () => {
    for (const spec of PLATFORMS) {
      expect(spec.capabilities.strategies).toContain('blue-green');
      const section = spec.section ? { [spec.name]: {} } : {};
      const parsed = ConfigSchema.safeParse({ app: 'shop', platform: spec.name, ...section, environments: { staging: {} } });
      expect(parsed.success, spec.name).toBe(true);
    }
    expect(ConfigSchema.safeParse({ app: 'shop', platform: 'heroku', environments: {} }).success).toBe(false);
    expect(() => platformSpec('heroku')).toThrow('platform heroku is not available yet');
  });

  it('a strategy the platform cannot run is refused when the config is read: exit 2, naming the field', async () => {
    const written = await failure(resolveEnvironment(project(RAILWAY.replace('staging: {}', 'staging: { strategy: canary }')), 'staging', { env: {} }));
    expect(written.exitCode).toBe(2);
    expect(written.lines).toEqual(['deploy.config.yaml: environments.staging.strategy: platform railway cannot run canary (it supports blue-green)']);
    const top = await failure(resolveEnvironment(project(RAILWAY.replace('platform: railway', 'platform: railway\nstrategy: canary')), 'staging', { env: {} }));
    expect(top.lines).toEqual(['deploy.config.yaml: strategy: platform railway cannot run canary (it supports blue-green)']);
    const flag = await failure(resolveEnvironment(project(RAILWAY), 'staging', { env: {}, strategy: 'canary' }));
    expect(flag.exitCode).toBe(2);
    expect(flag.lines[0]).toMatch(/^--strategy: platform railway cannot run strategy canary/);
  });

  it('an Argo Rollout is blue-green only: canary is refused at config read, naming kubernetes.argoRollouts', async () => {
    const config = `app: shop
platform: kubernetes
strategy: canary
kubernetes: { namespace: shop, image: "reg/shop:\${commit}", service: shop, argoRollouts: true }
environments:
  staging: {}
`;
    const f = await failure(resolveEnvironment(project(config), 'staging', { env: {} }));
    expect(f.exitCode).toBe(2);
    expect(f.lines).toEqual(['deploy.config.yaml: environments.staging.kubernetes.argoRollouts: strategy canary is not supported with argoRollouts: the Rollout is blue-green']);
  });

  it('docker.network is a config setting with its default from the schema', async () => {
    const base = `app: shop
platform: docker
port: 4999
environments:
  staging: {}
  production: { port: 4998, docker: { network: backend } }
`;
    expect((await resolveEnvironment(project(base), 'staging', { env: {} })).docker).toEqual({ image: null, dockerfile: 'Dockerfile', port: 3000, network: 'auto' });
    const prod = await resolveEnvironment(project(base), 'production', { env: {} });
    expect(prod.docker?.network).toEqual({ name: 'backend' });
    // Only the environment's own platform gets its section.
    expect(prod.railway).toBeNull();
    const bad = await failure(resolveEnvironment(project(base.replace('network: backend', 'network: "a b"')), 'production', { env: {} }));
    expect(bad.lines).toEqual(['deploy.config.yaml: environments.production.docker.network: expected auto, bridge, host or the name of a docker network']);
  });

  it('railway and kubernetes sections take their defaults from their schemas (what docs/configuration.md prints)', async () => {
    const railway = await resolveEnvironment(project(RAILWAY), 'staging', { env: {} });
    expect(railway.railway).toMatchObject({ deadlineMs: 15 * 60_000, pollIntervalMs: 5_000, setHealthcheck: true, overlapSeconds: null });
    const kube = await resolveEnvironment(project(`app: shop
platform: kubernetes
kubernetes: { namespace: shop, image: "reg/shop:\${commit}", service: shop }
environments:
  staging: {}
  production: { kubernetes: { replicas: 4 } }
`), 'production', { env: {} });
    // The environment's section merges over the top level's before the defaults fill the rest.
    expect(kube.kubernetes).toMatchObject({ namespace: 'shop', replicas: 4, port: 3000, argoRollouts: false, scaleDownDelayMs: 30_000, smokeVia: 'port-forward' });
  });

  it("a setting another platform declares as its own (persist, dependencies, hosts, ssh) is refused, naming the field", async () => {
    const docker = `app: shop
platform: docker
port: 4999
persist: [db.json]
dependencies: shared
environments:
  staging: { hosts: [deploy@app1.example.com] }
`;
    const f = await failure(resolveEnvironment(project(docker), 'staging', { env: {} }));
    expect(f.exitCode).toBe(2);
    expect(f.lines).toEqual([
      'deploy.config.yaml: environments.staging.persist: not supported by platform docker (keep data in a volume or a database); only platform local links persisted paths',
      'deploy.config.yaml: environments.staging.dependencies: not supported by platform docker; its image or build installs the dependencies',
      'deploy.config.yaml: environments.staging.hosts: not supported by platform docker; servers over SSH run the local platform (docs/ssh.md)',
    ]);
    const local = await resolveEnvironment(project(docker.replace('platform: docker', 'platform: local\nstart: node server.js')), 'staging', { env: {} });
    expect(local).toMatchObject({ persist: ['db.json'], dependencies: 'shared' });
    expect(local.hosts.map((h) => h.host)).toEqual(['app1.example.com']);
  });

  it('the core names no platform: config, orchestrator, checks, rollout and cli read the registry instead', async () => {
    const { readdirSync, readFileSync, statSync } = await import('node:fs');
    const { join } = await import('node:path');
    const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : f.endsWith('.ts') ? [join(dir, f)] : []));
    const named = ['src/config', 'src/orchestrator', 'src/checks', 'src/rollout', 'src/cli']
      .flatMap(files)
      .flatMap((file) => readFileSync(file, 'utf8').split('\n').map((line, i) => ({ where: `${file}:${i + 1}`, line })))
      .filter(({ line }) => /(===|!==)\s*'(local|docker|kubernetes|railway)'|'(local|docker|kubernetes|railway)'\s*(===|!==)/.test(line))
      .map(({ where }) => where);
    expect(named).toEqual([]);
  });
});
