import { mkdtemp, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createExecutor } from '../../src/exec/executor.js';
import { resolveChannels } from '../../src/notify/config.js';
import { notifyFailureRecord } from '../../src/notify/history.js';
import { Notifier, type NotifyFailure } from '../../src/notify/notifier.js';
import { sampleEvent } from './event-fixture.js';
import { recordingSleep, startReceiver } from './receiver.js';

const HMAC_SECRET = 'planted-hmac-secret-4b1d';
const SLACK_TOKEN = 'plantedslacktoken9c2e';
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

describe('secrets never leave', () => {
  it('keeps the HMAC secret and the Slack URL out of payloads, labels, failures, history and logs', async () => {
    // The Slack stand-in echoes the request path in its error, like a proxy might.
    const slack = await startReceiver([{ status: 500, body: `no route for /services/T1/B2/${SLACK_TOKEN}` }]);
    const hook = await startReceiver([{ status: 200 }]);
    closers.push(slack.close, hook.close);
    const dir = await mkdtemp(join(tmpdir(), 'shipgate-secrets-'));
    closers.push(() => rm(dir, { recursive: true, force: true }));
    const stdinCopy = join(dir, 'stdin.json');
    await writeFile(join(dir, 'hook'), `#!${process.execPath}\nlet s='';process.stdin.on('data',d=>s+=d).on('end',()=>require('fs').writeFileSync(${JSON.stringify(stdinCopy)},s));\n`);
    await chmod(join(dir, 'hook'), 0o755);

    const slackUrl = `${slack.url}/services/T1/B2/${SLACK_TOKEN}`;
    const logs: string[] = [];
    const executor = createExecutor({ onLog: (l) => logs.push(l) });
    const resolved = resolveChannels(
      {
        webhooks: [{ url: hook.url, secretEnv: 'HOOK_SECRET' }],
        slack: [{ urlEnv: 'SLACK_URL' }],
        commands: [{ run: './hook' }],
      },
      { env: { HOOK_SECRET: HMAC_SECRET, SLACK_URL: slackUrl }, projectRoot: dir, executor },
    );
    expect(resolved.problems).toEqual([]);
    const failures: NotifyFailure[] = [];
    const notifier = new Notifier({
      channels: resolved.channels,
      redactor: executor.redactor,
      sleep: recordingSleep().sleep,
      retry: { attempts: 2 },
      onFailure: (f) => failures.push(f),
    });
    // A careless caller put both secrets into the event.
    notifier.notify(sampleEvent({ reason: `hook secret ${HMAC_SECRET} and ${slackUrl}`, figures: [{ name: 'x', ok: false, value: SLACK_TOKEN, threshold: HMAC_SECRET }] }));
    await notifier.flush();

    const record = notifyFailureRecord(failures[0], { user: 'alice', host: 'h' });
    const everything = [
      ...hook.received.map((r) => r.body + JSON.stringify(r.headers)),
      ...slack.received.map((r) => r.body),
      await readFile(stdinCopy, 'utf8'),
      ...resolved.channels.map((c) => c.label),
      JSON.stringify(failures),
      JSON.stringify(record),
      ...logs,
      JSON.stringify(executor.records),
    ].join('\n');
    expect(hook.received).toHaveLength(1);
    expect(slack.received).toHaveLength(2);
    expect(failures).toHaveLength(1);
    expect(failures[0].reason).toContain('HTTP 500');
    expect(everything).toContain('***');
    expect(everything).not.toContain(HMAC_SECRET);
    expect(everything).not.toContain(SLACK_TOKEN);
    expect(record).toMatchObject({ type: 'notify-failure', environment: 'production', status: 'failed', verified: false });
    expect(record.reason).toMatch(/^slack\[0\] \(SLACK_URL\): guard.rolled_back not delivered after 2 attempts: HTTP 500/);
  });
});
