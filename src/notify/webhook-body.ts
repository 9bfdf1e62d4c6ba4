import type { NotifyEvent } from './event.js';

export const WEBHOOK_SCHEMA = 'shipgate.notification/v1';

/** The JSON document sent to webhooks and to command hooks (docs/notifications.md). */
export interface WebhookBody extends NotifyEvent {
  schema: typeof WEBHOOK_SCHEMA;
  /** Same on every retry of one delivery, so receivers can drop duplicates. */
  deliveryId: string;
}

export function webhookBody(event: NotifyEvent, deliveryId: string): WebhookBody {
  return { schema: WEBHOOK_SCHEMA, deliveryId, ...event };
}
