import { afterEach, describe, expect, it } from 'vitest';
import { slackChannel } from '../../src/notify/channels/slack.js';
import { NOTIFY_EVENT_TYPES } from '../../src/notify/event.js';
import { Notifier, type NotifyFailure } from '../../src/notify/notifier.js';
import { slackMessage } from '../../src/notify/slack-message.js';
import { sampleEvent } from './event-fixture.js';
import { recordingSleep, startReceiver } from './receiver.js';
import { SlackWebhookPayload, allTexts, escapedProperly } from './slack-contract.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

describe('Slack message contract', () => {
  it.each(NOTIFY_EVENT_TYPES)('%s matches the documented incoming-webhook payload', (type) => {
    const payload = slackMessage(sampleEvent({ type }));
    expect(() => SlackWebhookPayload.parse(payload)).not.toThrow();
    expect(allTexts(SlackWebhookPayload.parse(payload)).every(escapedProperly)).toBe(true);
    expect(payload.text).toContain('shop production');
  });

  it('shows the figures, the release, the actor and a link', () => {
    const payload = slackMessage(sampleEvent());
    const texts = allTexts(SlackWebhookPayload.parse(payload)).join('\n');
    expect(texts).toContain(':x: *Error Rate*: 12.5% (&lt; 1%)');
    expect(texts).toContain(':white_check_mark: *Response Times*: 120ms p95 (&lt; 500ms)');
    expect(texts).toContain('v1.4.0 (abc1234)');
    expect(texts).toContain('alice on build-1');
    expect(texts).toContain('<https://shop.example.com>');
    expect(payload.blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text' } });
  });

  it('a deploy event says what shipped: counts, commits, migrations, dependencies, escaped', () => {
    const shipped = {
      kind: 'diff' as const,
      from: { release: '20261126-1200-0ff1ce0', commit: '0ff1ce0aa' },
      to: 'abc1234def5678',
      commits: { count: 2, removed: 0, first: [{ commit: 'abc1234', subject: 'Render <b>totals</b> & tax' }, { commit: 'bcd2345', subject: 'Add the email column' }] },
      migrations: ['A migrations/003_add_email.sql'],
      dependencies: { lockfiles: ['package-lock.json'], added: [], removed: [], changed: [{ name: 'express', from: '4.18.2', to: '4.19.2' }], transitive: 0 },
    };
    const payload = slackMessage(sampleEvent({ type: 'deploy.succeeded', shipped }));
    const texts = allTexts(SlackWebhookPayload.parse(payload));
    expect(texts.every(escapedProperly)).toBe(true);
    expect(texts.join('\n')).toContain(
      '*What shipped:* 2 commits since 20261126-1200-0ff1ce0, 1 migration file, 1 dependency change\n' +
        '• abc1234 Render &lt;b&gt;totals&lt;/b&gt; &amp; tax\n• bcd2345 Add the email column\n• Migrations: A migrations/003_add_email.sql\n• Dependencies: express 4.18.2 → 4.19.2',
    );
    const first = allTexts(SlackWebhookPayload.parse(slackMessage(sampleEvent({ type: 'deploy.succeeded', shipped: { kind: 'first', from: null, to: 'abc' } })))).join('\n');
    expect(first).toContain('*What shipped:* first release');
  });

  it('escapes control characters and stays within limits with hostile, long values', () => {
    const long = 'x'.repeat(5000);
    const payload = slackMessage(
      sampleEvent({
        app: `<!channel> & ${long}`,
        reason: `<script> & ${long}`,
        actor: `bob <@U123> ${long}`,
        url: 'javascript:alert(1)',
        figures: Array.from({ length: 80 }, (_, i) => ({ name: `Check <${i}>`, ok: i % 2 === 0, value: `${i} & more`, threshold: '< 1%' })),
      }),
    );
    const parsed = SlackWebhookPayload.parse(payload);
    for (const text of allTexts(parsed)) expect(escapedProperly(text), text.slice(0, 80)).toBe(true);
    expect(allTexts(parsed).join('')).not.toContain('<!channel>');
    expect(allTexts(parsed).join('')).not.toContain('<javascript:');
  });
});

describe('Slack channel', () => {
  it('posts the message to the incoming-webhook URL', async () => {
    const slack = await startReceiver([{ status: 200, body: 'ok' }]);
    closers.push(slack.close);
    const notifier = new Notifier({ channels: [slackChannel({ url: `${slack.url}/services/T000/B000/XXXXXXXXXXXX`, label: 'slack[0] (SLACK_WEBHOOK_URL)' })] });
    notifier.notify(sampleEvent({ type: 'deploy.succeeded' }));
    await notifier.flush();
    expect(slack.received).toHaveLength(1);
    expect(slack.received[0].path).toBe('/services/T000/B000/XXXXXXXXXXXX');
    expect(slack.received[0].headers['content-type']).toContain('application/json');
    const payload = SlackWebhookPayload.parse(JSON.parse(slack.received[0].body));
    expect(payload.text).toContain('deployed and verified');
  });

  it("does not retry Slack's 400 invalid_payload, and the failure never shows the URL", async () => {
    const slack = await startReceiver([{ status: 400, body: 'invalid_payload' }]);
    closers.push(slack.close);
    const failures: NotifyFailure[] = [];
    const url = `${slack.url}/services/T000/B000/SECRETTOKEN123`;
    const notifier = new Notifier({
      channels: [slackChannel({ url, label: 'slack[0] (SLACK_WEBHOOK_URL)' })],
      sleep: recordingSleep().sleep,
      onFailure: (f) => failures.push(f),
    });
    notifier.notify(sampleEvent());
    await notifier.flush();
    expect(slack.received).toHaveLength(1);
    expect(failures).toEqual([expect.objectContaining({ channel: 'slack[0] (SLACK_WEBHOOK_URL)', attempts: 1, reason: 'HTTP 400: invalid_payload' })]);
  });
});
