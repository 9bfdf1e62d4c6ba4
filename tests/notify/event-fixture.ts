import { type NotifyEventInput, createNotifyEvent } from '../../src/notify/event.js';

export function sampleEvent(overrides: Partial<NotifyEventInput> = {}) {
  return createNotifyEvent(
    {
      type: 'guard.rolled_back',
      app: 'shop',
      environment: 'production',
      actor: 'alice',
      host: 'build-1',
      release: { id: '20261127-0600-abc1234', version: 'v1.4.0', commit: 'abc1234def5678' },
      previous: { id: '20261126-1200-0ff1ce0', version: 'v1.3.9', commit: '0ff1ce0aa' },
      reason: 'error rate over the limit',
      figures: [
        { name: 'Error Rate', ok: false, value: '12.5%', threshold: '< 1%' },
        { name: 'Response Times', ok: true, value: '120ms p95', threshold: '< 500ms' },
      ],
      url: 'https://shop.example.com',
      ...overrides,
    },
    () => new Date('2026-11-27T06:00:00.000Z'),
  );
}
