import { randomUUID } from 'node:crypto';
import { Redactor } from '../exec/redact.js';
import { sleepFor } from '../verify/clock.js';
import { type Channel, wants } from './channel.js';
import type { NotifyEvent } from './event.js';
import { type RetryPolicy, type Sleep, defaultRetryPolicy, withRetries } from './retry.js';
import { scrubEvent } from './scrub.js';

/** A delivery that gave up; the caller appends it to history as a 'notify-failure' record. */
export interface NotifyFailure {
  channel: string;
  event: NotifyEvent;
  deliveryId: string;
  attempts: number;
  /** Redacted; never holds a secret or a webhook URL. */
  reason: string;
}

export interface NotifyDelivered {
  channel: string;
  event: NotifyEvent;
  deliveryId: string;
  attempts: number;
}

export interface NotifierOptions {
  channels: readonly Channel[];
  retry?: Partial<RetryPolicy>;
  /** Injected so tests do not wait for real backoff. */
  sleep?: Sleep;
  onFailure?: (failure: NotifyFailure) => void;
  onDelivered?: (delivered: NotifyDelivered) => void;
  /** Shared with the executor, so every secret it knows stays out of payloads too. */
  redactor?: Redactor;
  newId?: () => string;
}

/**
 * Fire-and-forget delivery to every channel that wants an event. `notify`
 * returns at once and never throws; `flush` waits for what is in flight (CLI
 * exit, tests); `close` cancels backoff waits so the process can end.
 */
export class Notifier {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly controller = new AbortController();
  private readonly policy: RetryPolicy;
  private readonly redactor: Redactor;
  private readonly sleep: Sleep;
  private readonly newId: () => string;

  constructor(private readonly options: NotifierOptions) {
    this.policy = { ...defaultRetryPolicy, ...options.retry };
    this.redactor = options.redactor ?? new Redactor();
    for (const channel of options.channels) this.redactor.add(...channel.secrets);
    this.sleep = options.sleep ?? sleepFor;
    this.newId = options.newId ?? randomUUID;
  }

  get pending(): number {
    return this.inFlight.size;
  }

  notify(event: NotifyEvent): void {
    if (this.controller.signal.aborted) return;
    let clean: NotifyEvent;
    try {
      clean = scrubEvent(event, this.redactor);
    } catch {
      return;
    }
    for (const channel of this.options.channels) {
      if (!wants(channel, clean.type)) continue;
      const delivery = this.deliver(channel, clean);
      this.inFlight.add(delivery);
      void delivery.finally(() => this.inFlight.delete(delivery));
    }
  }

  /** Resolves true when everything in flight has finished, false if `timeoutMs` passed first. */
  async flush(timeoutMs?: number): Promise<boolean> {
    const drained = (async () => {
      while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    })();
    if (timeoutMs === undefined) {
      await drained;
      return true;
    }
    const timer = new AbortController();
    const finished = await Promise.race([drained.then(() => true), sleepFor(timeoutMs, timer.signal).then(() => false)]);
    timer.abort();
    return finished;
  }

  /** Stops accepting events, cancels retries and waits for running attempts to end. */
  async close(): Promise<void> {
    this.controller.abort();
    await this.flush();
  }

  private async deliver(channel: Channel, event: NotifyEvent): Promise<void> {
    const deliveryId = this.newId();
    const outcome = await withRetries(
      (timeoutMs, signal) => channel.send(event, { id: deliveryId, timeoutMs, signal }),
      this.policy,
      this.sleep,
      this.controller.signal,
    ).catch((error: unknown) => ({ ok: false, attempts: 0, reason: String(error) }));
    try {
      if (outcome.ok) {
        this.options.onDelivered?.({ channel: channel.label, event, deliveryId, attempts: outcome.attempts });
      } else {
        const reason = this.redactor.redact(outcome.reason ?? 'failed');
        this.options.onFailure?.({ channel: channel.label, event, deliveryId, attempts: outcome.attempts, reason });
      }
    } catch {
      // A failing callback must not turn into an unhandled rejection inside a deploy.
    }
  }
}
