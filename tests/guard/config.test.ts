import { describe, expect, it } from 'vitest';
import { resolveEnvironment } from '../../src/config/resolve.js';
import { secretEnv } from '../../src/notify/deploy-notices.js';
import { failure, project } from '../config/helpers.js';

const base = (extra: string) => `app: shop
start: node server.js
${extra}
environments:
  staging: { port: 4001 }
  production: { port: 4000 }
`;

describe('guard and notify config', () => {
  it('takes guard as a duration or as { period, rollbackWhenCold }; an object without a period keeps the bundle default', async () => {
    const plain = await resolveEnvironment(project(base('guard: 2m')), 'production', { env: {} });
    expect(plain).toMatchObject({ guardMs: 120_000, guardRollbackWhenCold: false, notify: null });
    const object = await resolveEnvironment(project(base('guard: { period: 45s, rollbackWhenCold: true }')), 'staging', { env: {} });
    expect(object).toMatchObject({ guardMs: 45_000, guardRollbackWhenCold: true });
    const noPeriod = await resolveEnvironment(project(base('guard: { rollbackWhenCold: true }')), 'production', { env: {} });
    expect(noPeriod).toMatchObject({ guardMs: 30 * 60_000, guardRollbackWhenCold: true });
    const defaults = await resolveEnvironment(project(base('')), 'staging', { env: {} });
    expect(defaults.guardMs).toBe(5 * 60_000);
  });

  it('refuses a bad guard or notify block with the path, exit 2', async () => {
    const badGuard = await failure(resolveEnvironment(project(base('guard: { period: soon }')), 'staging', { env: {} }));
    expect(badGuard.exitCode).toBe(2);
    expect(badGuard.lines.join('\n')).toMatch(/guard/);
    const badNotify = await failure(resolveEnvironment(project(base('notify: { webhooks: [{ url: "https://h.example.com/x", secretEnv: "not a name" }] }')), 'staging', { env: {} }));
    expect(badNotify.exitCode).toBe(2);
    expect(badNotify.lines.join('\n')).toMatch(/notify\.webhooks\[0\]\.secretEnv/);
  });

  it('hands the runtime only the variables the notify block names, process environment first', async () => {
    const config = await resolveEnvironment(
      project(base('notify: { webhooks: [{ url: "https://h.example.com/x", secretEnv: HOOK_KEY }], slack: [{ urlEnv: SLACK_URL }] }\nenv: { files: [.env.staging] }'), {
        '.env.staging': 'HOOK_KEY=from-file\nSLACK_URL=https://hooks.slack.example/T/1\nOTHER=x\n',
      }),
      'staging',
      { env: {} },
    );
    expect(config.notify?.webhooks?.[0].secretEnv).toBe('HOOK_KEY');
    expect(secretEnv(config, { HOOK_KEY: 'from-process', UNRELATED: 'y' })).toEqual({ HOOK_KEY: 'from-process', SLACK_URL: 'https://hooks.slack.example/T/1' });
  });
});
