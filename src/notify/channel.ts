import type { NotifyEvent, NotifyEventType } from './event.js';

/** One configured destination. `label` is safe to log: it never contains the URL token or secret. */
export interface Channel {
  readonly label: string;
  /** Event types this channel wants; null means all. */
  readonly events: readonly NotifyEventType[] | null;
  /** Values the notifier must keep out of payloads, logs and errors. */
  readonly secrets: readonly string[];
  /** One attempt. Throws DeliveryError (or anything) on failure. */
  send(event: NotifyEvent, delivery: { id: string; timeoutMs: number; signal: AbortSignal }): Promise<void>;
}

export function wants(channel: Channel, type: NotifyEventType): boolean {
  return channel.events === null || channel.events.includes(type);
}
