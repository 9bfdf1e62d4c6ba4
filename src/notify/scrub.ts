import type { Redactor } from '../exec/redact.js';
import type { NotifyEvent } from './event.js';

/** Every string in the event with known secret values replaced, so a secret that slipped into a reason or figure never leaves. */
export function scrubEvent(event: NotifyEvent, redactor: Redactor): NotifyEvent {
  return scrub(event, redactor) as NotifyEvent;
}

function scrub(value: unknown, redactor: Redactor): unknown {
  if (typeof value === 'string') return redactor.redact(value);
  if (Array.isArray(value)) return value.map((v) => scrub(v, redactor));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, redactor)]));
  }
  return value;
}
