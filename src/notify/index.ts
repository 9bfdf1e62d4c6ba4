export type { Channel } from './channel.js';
export { commandChannel, hookCommand } from './channels/command.js';
export { slackChannel } from './channels/slack.js';
export { webhookChannel } from './channels/webhook.js';
export { resolveChannels, type ResolveContext, type ResolvedChannels } from './config.js';
export { NotifySchema, type NotifyConfig } from './config-schema.js';
export { DeliveryError } from './delivery-error.js';
export {
  NOTIFY_EVENT_TYPES,
  createNotifyEvent,
  isNotifyEventType,
  type NotifyEvent,
  type NotifyEventInput,
  type NotifyEventType,
  type NotifyRelease,
  type NotifyStatus,
} from './event.js';
export { notifyFailureRecord } from './history.js';
export { Notifier, type NotifierOptions, type NotifyDelivered, type NotifyFailure } from './notifier.js';
export { type RetryPolicy, defaultRetryPolicy } from './retry.js';
export { SIGNATURE_HEADER, signBody, verifySignature } from './signature.js';
export { slackMessage, type SlackMessage } from './slack-message.js';
export { WEBHOOK_SCHEMA, type WebhookBody } from './webhook-body.js';
