import type { Redactor } from '../exec/redact.js';
import { redactDeep } from '../secrets/redact-deep.js';
import type { NotifyEvent } from './event.js';

/** Every string in the event with known secret values replaced, so a secret that slipped into a reason or figure never leaves. */
export function scrubEvent(event: NotifyEvent, redactor: Redactor): NotifyEvent {
  return redactDeep(event, redactor);
}
