import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveEnvironment } from '../../src/config/resolve.js';
import { loadRecipes } from '../../src/bundle/load.js';
import { parseDuration } from '../../src/config/duration.js';
import { BASE, failure, project } from './helpers.js';

describe('resolveEnvironment', () => {
  it('merges bundle defaults, top level and the environment, with typed values', async () => {
    const dir = project(BASE);
    const prod = await resolveEnvironment(dir, 'production', { env: {} });
    expect(prod).toMatchObject({
      app: 'shop',
      environment: 'production',
      environments: ['staging', 'production'],
      projectRoot: dir,
      stateDir: join(dir, '.deploy', 'production'),
      platform: 'local',
      strategy: 'blue-green',
      port: 4000,
      url: 'http://localhost:4000',
      health: { path: '/health', timeoutMs: 30_000, intervalMs: 500 },
      requires: 'staging',
      guardMs: 30 * 60_000,
      keepWarmMs: 15 * 60_000,
      releases: { keep: 5 },
    });
    // The canary steps are the bundle's, as fractions (recipes.yaml is the one place that sets them).
    const canary = (await loadRecipes()).strategies.canary;
    expect(prod.canary).toMatchObject({ steps: canary.steps.map((p) => p / 100), intervalMs: parseDuration(canary.interval) });
    // Deep merge: production's window overrides, the top-level p95 and errorRate survive.
    expect(prod.verify).toMatchObject({ p95Ms: 400, errorRate: 0.02, windowMs: 5 * 60_000, minRequests: 200 });
    expect(prod.verify.smoke).toEqual([{ method: 'GET', path: '/', status: null, contains: null }]);

    const staging = await resolveEnvironment(dir, 'staging', { env: {}, strategy: 'canary' });
    expect(staging.verify.windowMs).toBe(30_000);
    expect(staging.guardMs).toBe(5 * 60_000);
    expect(staging.requires).toBeNull();
    expect(staging.strategy).toBe('canary');
  });

  it('finds the config in a parent folder and honours --config', async () => {
    const dir = project(BASE);
    const nested = join(dir, 'a', 'b');
    mkdirSync(nested, { recursive: true });
    expect((await resolveEnvironment(nested, 'staging', { env: {} })).projectRoot).toBe(dir);
    const other = project(BASE.replace('app: shop', 'app: other'), {}, 'custom.yml');
    expect((await resolveEnvironment(dir, 'staging', { env: {}, configPath: join(other, 'custom.yml') })).app).toBe('other');
  });

  it('reads deploy.config.json too', async () => {
    const dir = project(JSON.stringify({ app: 'j', start: 'node s.js', environments: { staging: { port: 4100 } } }), {}, 'deploy.config.json');
    expect((await resolveEnvironment(dir, 'staging', { env: {} })).port).toBe(4100);
  });

  it('does not apply the bundle production gate when there is no staging environment', async () => {
    const dir = project('app: a\nstart: x\nenvironments:\n  production: { port: 4000 }\n');
    expect((await resolveEnvironment(dir, 'production', { env: {} })).requires).toBeNull();
  });

  it('an unknown environment names the known ones, exit 2, and creates nothing', async () => {
    const dir = project(BASE);
    const f = await failure(resolveEnvironment(dir, 'prod', { env: {} }));
    expect(f).toEqual({ lines: ['unknown environment "prod"; known: staging, production'], exitCode: 2 });
    expect(existsSync(join(dir, '.deploy'))).toBe(false);
  });

  it('no config file found is a usage error pointing at deploy init', async () => {
    const dir = project(BASE, {}, 'not-a-config.yaml');
    const f = await failure(resolveEnvironment(dir, 'staging', { env: {} }));
    expect(f.exitCode).toBe(2);
    expect(f.lines[0]).toContain('deploy init');
  });
});
