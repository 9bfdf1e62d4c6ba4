import type { Channel } from '../channel.js';
import type { NotifyEvent, NotifyEventType } from '../event.js';
import { postBody } from '../http-post.js';
import { slackMessage } from '../slack-message.js';

export interface SlackChannelOptions {
  /** The incoming-webhook URL. It is a credential: it never appears in labels, logs or errors. */
  url: string;
  events?: readonly NotifyEventType[] | null;
  /** e.g. "slack[0] (SLACK_WEBHOOK_URL)". */
  label: string;
}

export function slackChannel(options: SlackChannelOptions): Channel {
  return {
    label: options.label,
    events: options.events ?? null,
    secrets: [options.url, ...tokenParts(options.url)],
    async send(event: NotifyEvent, delivery) {
      await postBody(options.url, JSON.stringify(slackMessage(event)), {
        timeoutMs: delivery.timeoutMs,
        signal: delivery.signal,
        headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'shipgate-notify' },
      });
    },
  };
}

/** The path segments of a hooks.slack.com URL (T…/B…/token) are redacted on their own too. */
function tokenParts(url: string): string[] {
  try {
    return new URL(url).pathname.split('/').filter((part) => part.length >= 8);
  } catch {
    return [];
  }
}
