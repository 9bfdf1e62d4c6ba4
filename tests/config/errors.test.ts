import { describe, expect, it } from 'vitest';
import { resolveEnvironment } from '../../src/config/resolve.js';
import { failure, project } from './helpers.js';

const resolve = (config: string, env = 'staging') => failure(resolveEnvironment(project(config), env, { env: {} }));

describe('config errors', () => {
  it('names a bad smoke json path, header name and onInconclusive policy', async () => {
    const f = await resolve(`app: shop
start: node server.js
verify:
  smoke: [{ path: /api, json: { path: "$.items[*]" } }, { path: /, headers: { "bad name": x } }]
  onInconclusive: pass
environments:
  staging: { port: 4001 }
`);
    expect(f.exitCode).toBe(2);
    expect(f.lines).toEqual(
      expect.arrayContaining([
        'deploy.config.yaml: verify.smoke[0].json.path: expected a JSON path like $.items[0].id',
        expect.stringMatching(/^deploy\.config\.yaml: verify\.smoke\[1\]\.headers.*expected a header name/),
        expect.stringMatching(/^deploy\.config\.yaml: verify\.onInconclusive: /),
      ]),
    );
  });

  it('reports all problems at once, each as file: path: message', async () => {
    const f = await resolve(`app: shop
start: node server.js
verify: { errorRate: 150%, smoke: ["GET /", { path: api }] }
health: { timeout: soon }
envs: {}
environments:
  staging: { port: 4001, verify: { p95: fast } }
  production: { port: "4000", prot: 1 }
  Bad_Name: { port: 1 }
`);
    expect(f.exitCode).toBe(2);
    expect(f.lines).toEqual(
      expect.arrayContaining([
        'deploy.config.yaml: environments.staging.verify.p95: expected a duration like "500ms"',
        'deploy.config.yaml: verify.errorRate: expected a percentage like "1%"',
        'deploy.config.yaml: verify.smoke[1].path: must start with "/"',
        'deploy.config.yaml: health.timeout: expected a duration like "500ms"',
        'deploy.config.yaml: envs: unknown key',
        'deploy.config.yaml: environments.production.port: expected a number',
        'deploy.config.yaml: environments.production.prot: unknown key',
        expect.stringMatching(/^deploy\.config\.yaml: environments\.Bad_Name: expected an environment name/),
      ]),
    );
    expect(f.lines).toHaveLength(8);
  });

  it('refuses absurd durations and percentages over 100', async () => {
    const f = await resolve('app: a\nstart: x\nverify: { window: 400d, errorRate: 101% }\nenvironments: { staging: { port: 1 } }\n');
    expect(f.lines).toEqual([
      'deploy.config.yaml: verify.errorRate: expected a percentage like "1%"',
      'deploy.config.yaml: verify.window: expected a duration like "500ms"',
    ].sort((a, b) => (a.includes('window') ? 1 : b.includes('window') ? -1 : 0)));
  });

  it('names the line of a YAML syntax error', async () => {
    const f = await resolve('app: a\nenvironments:\n  staging: { port: 1\n');
    expect(f.exitCode).toBe(2);
    expect(f.lines[0]).toMatch(/^deploy\.config\.yaml:\d+: invalid YAML: /);
  });

  it('requires app and at least one environment', async () => {
    const f = await resolve('start: x\n');
    expect(f.lines).toEqual(['deploy.config.yaml: app: expected the app name', 'deploy.config.yaml: environments: required']);
  });

  it('applies the cross-field rules', async () => {
    const f = await resolve(`app: a
environments:
  staging: { port: 4001, start: x, requires: uat, canary: { steps: [50, 10] }, env: { files: ["../secrets.env"] } }
  production: { port: 4001, start: x, tests: false }
  status: { port: 4002, start: x }
  qa: { port: 4003 }
`);
    expect(f.lines.sort()).toEqual(
      [
        'deploy.config.yaml: environments.staging.requires: unknown environment "uat"',
        'deploy.config.yaml: environments.staging.canary.steps: expected increasing percentages ending at 100, like [10, 50, 100]',
        'deploy.config.yaml: environments.staging.env.files[0]: must be a path inside the project',
        'deploy.config.yaml: environments.production.tests: false is refused for production; tests must run before a production deploy',
        'deploy.config.yaml: environments.status: "status" is a command name; choose another environment name',
        'deploy.config.yaml: environments.qa.start: required for the local platform (the command that starts one instance)',
        'deploy.config.yaml: environments.production.port: 4001 is already the port of staging',
      ].sort(),
    );
  });

  it('rejects an invalid environment name on the command line', async () => {
    const f = await resolve('app: a\nstart: x\nenvironments: { staging: { port: 1 } }\n', '../x');
    expect(f.exitCode).toBe(2);
    expect(f.lines[0]).toMatch(/^invalid environment name "\.\.\/x"/);
  });

  it('refuses a huge config file', async () => {
    const f = await resolve('app: a\n# ' + 'x'.repeat(300 * 1024) + '\n');
    expect(f.lines[0]).toMatch(/too large/);
  });
});
