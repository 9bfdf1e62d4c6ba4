import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExecutor } from '../../src/exec/executor.js';
import { resolveChannels } from '../../src/notify/config.js';
import { NotifySchema } from '../../src/notify/config-schema.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shipgate-notify-config-'));
  await writeFile(join(dir, 'hook'), '#!/bin/sh\n');
  await chmod(join(dir, 'hook'), 0o755);
  await writeFile(join(dir, 'not-exec'), '#!/bin/sh\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('notify config', () => {
  it('accepts the documented shape', () => {
    const parsed = NotifySchema.parse({
      webhooks: [{ url: 'https://hooks.example.com/deploy', secretEnv: 'DEPLOY_HOOK_SECRET', events: ['deploy.failed', 'guard.rolled_back'] }],
      slack: [{ urlEnv: 'SLACK_WEBHOOK_URL' }],
      commands: [{ run: './scripts/page-oncall', args: ['--team', 'web'], events: ['guard.alert'] }],
    });
    expect(parsed.webhooks?.[0].events).toEqual(['deploy.failed', 'guard.rolled_back']);
  });

  it('refuses credentials in a webhook URL without quoting them, and skips a Slack URL that holds some', () => {
    for (const url of ['https://user:pw-planted@hooks.example.com/x', 'https://token-planted@hooks.example.com/x']) {
      const result = NotifySchema.safeParse({ webhooks: [{ url, secretEnv: 'HOOK_SECRET' }] });
      expect(result.success).toBe(false);
      expect(result.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['webhooks.0.url', expect.stringMatching(/^must not hold credentials/)]]);
      expect(JSON.stringify(result.error!.issues)).not.toContain('planted');
    }
    const resolved = resolveChannels({ slack: [{ urlEnv: 'SLACK_URL' }] }, { env: { SLACK_URL: 'https://u:pw-planted@hooks.slack.com/services/T/B/x' }, projectRoot: dir, executor: createExecutor() });
    expect(resolved.channels).toEqual([]);
    expect(resolved.problems).toEqual([{ path: 'notify.slack[0].urlEnv', message: 'SLACK_URL holds credentials (user:password@), which are never sent' }]);
  });

  it('rejects unknown events, bad variable names, non-http URLs and unknown keys with paths', () => {
    const result = NotifySchema.safeParse({
      webhooks: [{ url: 'ftp://x', secretEnv: 'not a name', events: ['deploy.exploded'] }],
      slack: [{ url: 'https://hooks.slack.com/services/x' }],
    });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((i) => i.path.join('.')).sort();
    expect(paths).toEqual(expect.arrayContaining(['webhooks.0.url', 'webhooks.0.secretEnv', 'webhooks.0.events.0', 'slack.0.urlEnv']));
    expect(result.error!.issues.some((i) => i.code === 'unrecognized_keys')).toBe(true);
  });

  it('names a missing or invalid secret by its variable, never by value, and keeps the other channels', () => {
    const { channels, problems } = resolveChannels(
      {
        webhooks: [{ url: 'https://a.example.com/x?token=abc', secretEnv: 'MISSING_SECRET' }, { url: 'https://b.example.com/path/tok', secretEnv: 'SET_SECRET' }],
        slack: [{ urlEnv: 'SLACK_URL' }],
        commands: [{ run: './hook' }, { run: './not-exec' }, { run: './absent' }],
      },
      { env: { SET_SECRET: 'value-1234', SLACK_URL: 'not a url value-5678' }, projectRoot: dir, executor: createExecutor() },
    );
    expect(problems).toEqual([
      { path: 'notify.webhooks[0].secretEnv', message: 'MISSING_SECRET is not set' },
      { path: 'notify.slack[0].urlEnv', message: 'SLACK_URL is not an http(s) URL' },
      { path: 'notify.commands[1].run', message: './not-exec is missing or not executable' },
      { path: 'notify.commands[2].run', message: './absent is missing or not executable' },
    ]);
    expect(channels.map((c) => c.label)).toEqual(['webhooks[1] (https://b.example.com)', 'commands[0] (./hook)']);
    expect(JSON.stringify(problems)).not.toContain('value-');
  });

  it('resolves to no channels without a notify block', () => {
    expect(resolveChannels(undefined, { env: {}, projectRoot: dir, executor: createExecutor() })).toEqual({ channels: [], problems: [], secrets: [] });
  });
});
