import type { Channel } from '../channel.js';
import type { NotifyEvent, NotifyEventType } from '../event.js';
import { postBody } from '../http-post.js';
import { signBody } from '../signature.js';
import { webhookBody } from '../webhook-body.js';

export interface WebhookChannelOptions {
  url: string;
  /** HMAC key, already read from the env var the config names. */
  secret: string;
  events?: readonly NotifyEventType[] | null;
  label?: string;
}

/** Generic JSON webhook, signed with HMAC-SHA256 over the raw body. */
export function webhookChannel(options: WebhookChannelOptions): Channel {
  return {
    label: options.label ?? `webhook ${safeOrigin(options.url)}`,
    events: options.events ?? null,
    secrets: [options.secret],
    async send(event: NotifyEvent, delivery) {
      const body = JSON.stringify(webhookBody(event, delivery.id));
      await postBody(options.url, body, {
        timeoutMs: delivery.timeoutMs,
        signal: delivery.signal,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'shipgate-notify',
          'x-shipgate-event': event.type,
          'x-shipgate-delivery': delivery.id,
          'x-shipgate-signature': signBody(body, options.secret),
        },
      });
    },
  };
}

/** Scheme, host and port only: paths and queries of webhook URLs often carry tokens. */
export function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid URL)';
  }
}
