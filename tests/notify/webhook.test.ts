import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { webhookChannel } from '../../src/notify/channels/webhook.js';
import { Notifier, type NotifyDelivered, type NotifyFailure } from '../../src/notify/notifier.js';
import { verifySignature } from '../../src/notify/signature.js';
import { WEBHOOK_SCHEMA } from '../../src/notify/webhook-body.js';
import { sampleEvent } from './event-fixture.js';
import { recordingSleep, startReceiver } from './receiver.js';

const SECRET = 'planted-webhook-secret-7f3a9c';
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function receiver(...replies: Parameters<typeof startReceiver>[0] & object) {
  const r = await startReceiver(replies.length ? replies : undefined);
  closers.push(r.close);
  return r;
}

function collect() {
  const failures: NotifyFailure[] = [];
  const delivered: NotifyDelivered[] = [];
  return { failures, delivered, onFailure: (f: NotifyFailure) => failures.push(f), onDelivered: (d: NotifyDelivered) => delivered.push(d) };
}

describe('webhook channel', () => {
  it('posts the documented JSON with a signature that verifies over the raw body', async () => {
    const server = await receiver({ status: 200 });
    const seen = collect();
    const notifier = new Notifier({ channels: [webhookChannel({ url: `${server.url}/hooks/deploy`, secret: SECRET })], ...seen });
    notifier.notify(sampleEvent());
    await notifier.flush();

    expect(server.received).toHaveLength(1);
    const [req] = server.received;
    const expected = `sha256=${createHmac('sha256', SECRET).update(req.body).digest('hex')}`;
    expect(req.headers['x-shipgate-signature']).toBe(expected);
    expect(verifySignature(req.body, SECRET, req.headers['x-shipgate-signature'] as string)).toBe(true);
    expect(verifySignature(req.body, 'wrong-secret', req.headers['x-shipgate-signature'] as string)).toBe(false);
    expect(verifySignature(`${req.body} `, SECRET, req.headers['x-shipgate-signature'] as string)).toBe(false);
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['x-shipgate-event']).toBe('guard.rolled_back');

    const body = JSON.parse(req.body);
    expect(body).toMatchObject({
      schema: WEBHOOK_SCHEMA,
      type: 'guard.rolled_back',
      app: 'shop',
      environment: 'production',
      status: 'rolled_back',
      release: { id: '20261127-0600-abc1234', version: 'v1.4.0', commit: 'abc1234def5678' },
      previous: { version: 'v1.3.9' },
      actor: 'alice',
      url: 'https://shop.example.com',
      time: '2026-11-27T06:00:00.000Z',
    });
    expect(body.figures[0]).toEqual({ name: 'Error Rate', ok: false, value: '12.5%', threshold: '< 1%' });
    expect(body.deliveryId).toBe(req.headers['x-shipgate-delivery']);
    expect(req.body).not.toContain(SECRET);
    expect(seen.delivered).toHaveLength(1);
    expect(seen.failures).toHaveLength(0);
  });

  it('retries after a 500 with backoff and succeeds, with the same delivery id and body', async () => {
    const server = await receiver({ status: 500, body: 'boom' }, { status: 200 });
    const seen = collect();
    const { delays, sleep } = recordingSleep();
    const notifier = new Notifier({ channels: [webhookChannel({ url: server.url, secret: SECRET })], sleep, retry: { initialDelayMs: 100 }, ...seen });
    notifier.notify(sampleEvent());
    await notifier.flush();

    expect(server.received).toHaveLength(2);
    expect(server.received[1].body).toBe(server.received[0].body);
    expect(server.received[1].headers['x-shipgate-delivery']).toBe(server.received[0].headers['x-shipgate-delivery']);
    expect(delays).toEqual([100]);
    expect(seen.delivered).toEqual([expect.objectContaining({ attempts: 2, channel: expect.stringContaining('webhook') })]);
    expect(seen.failures).toHaveLength(0);
  });

  it('gives up after the last attempt with exponential delays, reports through the callback and never throws', async () => {
    const server = await receiver({ status: 503, body: 'down' });
    const seen = collect();
    const { delays, sleep } = recordingSleep();
    const notifier = new Notifier({
      channels: [webhookChannel({ url: server.url, secret: SECRET })],
      sleep,
      retry: { attempts: 4, initialDelayMs: 100, factor: 2, maxDelayMs: 350 },
      ...seen,
    });
    expect(() => notifier.notify(sampleEvent())).not.toThrow();
    await expect(notifier.flush()).resolves.toBe(true);

    expect(server.received).toHaveLength(4);
    expect(delays).toEqual([100, 200, 350]);
    expect(seen.failures).toHaveLength(1);
    expect(seen.failures[0]).toMatchObject({ attempts: 4, reason: 'HTTP 503: down' });
    expect(seen.failures[0].event.type).toBe('guard.rolled_back');
  });

  it('does not retry a 4xx other than 408/429', async () => {
    const server = await receiver({ status: 400, body: 'bad' });
    const seen = collect();
    const notifier = new Notifier({ channels: [webhookChannel({ url: server.url, secret: SECRET })], sleep: recordingSleep().sleep, ...seen });
    notifier.notify(sampleEvent());
    await notifier.flush();
    expect(server.received).toHaveLength(1);
    expect(seen.failures[0]).toMatchObject({ attempts: 1, reason: 'HTTP 400: bad' });
  });

  it('honours Retry-After on 429 within the cap', async () => {
    const server = await startReceiver([{ status: 429, headers: { 'retry-after': '2' } }, { status: 200 }]);
    closers.push(server.close);
    const { delays, sleep } = recordingSleep();
    const notifier = new Notifier({ channels: [webhookChannel({ url: server.url, secret: SECRET })], sleep, retry: { initialDelayMs: 10 } });
    notifier.notify(sampleEvent());
    await notifier.flush();
    expect(server.received).toHaveLength(2);
    expect(delays).toEqual([2000]);
  });

  it('times out a hanging attempt and reports connection failures', async () => {
    const hanging = await receiver({ status: 200, hang: true });
    const closed = await startReceiver();
    const closedUrl = closed.url;
    await closed.close();
    const seen = collect();
    const notifier = new Notifier({
      channels: [webhookChannel({ url: hanging.url, secret: SECRET }), webhookChannel({ url: closedUrl, secret: SECRET })],
      sleep: recordingSleep().sleep,
      retry: { attempts: 2, timeoutMs: 400 },
      ...seen,
    });
    notifier.notify(sampleEvent());
    await notifier.flush();
    const reasons = seen.failures.map((f) => f.reason).sort();
    expect(reasons).toHaveLength(2);
    expect(reasons.some((r) => r.includes('connection refused'))).toBe(true);
    expect(reasons.some((r) => r === 'timed out after 400ms')).toBe(true);
    expect(seen.failures.every((f) => f.attempts === 2)).toBe(true);
    expect(hanging.received.length).toBeLessThanOrEqual(2);
  });

  it('returns from notify before anything is delivered, and flush waits for it', async () => {
    const server = await receiver({ status: 200 });
    const notifier = new Notifier({ channels: [webhookChannel({ url: server.url, secret: SECRET })] });
    notifier.notify(sampleEvent());
    expect(notifier.pending).toBe(1);
    expect(server.received).toHaveLength(0);
    await notifier.flush();
    expect(notifier.pending).toBe(0);
    expect(server.received).toHaveLength(1);
  });

  it('flush with a timeout returns false while a delivery is still waiting, and close cancels the backoff', async () => {
    const server = await receiver({ status: 500 });
    const seen = collect();
    // Real sleep with a long backoff: only close() can end it quickly.
    const notifier = new Notifier({ channels: [webhookChannel({ url: server.url, secret: SECRET })], retry: { initialDelayMs: 60_000 }, ...seen });
    notifier.notify(sampleEvent());
    await server.waitFor(1);
    await expect(notifier.flush(50)).resolves.toBe(false);
    await notifier.close();
    expect(seen.failures).toHaveLength(1);
    expect(seen.failures[0].reason).toMatch(/^cancelled after: HTTP 500/);
    notifier.notify(sampleEvent());
    expect(notifier.pending).toBe(0);
  });

  it('sends only the events a channel subscribed to', async () => {
    const server = await receiver({ status: 200 });
    const notifier = new Notifier({ channels: [webhookChannel({ url: server.url, secret: SECRET, events: ['deploy.failed'] })] });
    notifier.notify(sampleEvent({ type: 'deploy.started' }));
    notifier.notify(sampleEvent({ type: 'deploy.failed' }));
    await notifier.flush();
    expect(server.received.map((r) => JSON.parse(r.body).type)).toEqual(['deploy.failed']);
  });

  it('a throwing failure callback does not escape', async () => {
    const server = await receiver({ status: 400 });
    const notifier = new Notifier({
      channels: [webhookChannel({ url: server.url, secret: SECRET })],
      onFailure: () => {
        throw new Error('history disk full');
      },
    });
    notifier.notify(sampleEvent());
    await expect(notifier.flush()).resolves.toBe(true);
  });
});
