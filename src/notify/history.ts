import type { HistoryRecord } from '../contracts/history.js';
import type { NotifyFailure } from './notifier.js';

/** The history line for a delivery that gave up. */
export function notifyFailureRecord(failure: NotifyFailure, who: { user: string; host: string }, now: Date = new Date()): HistoryRecord {
  const { event } = failure;
  return {
    ts: now.toISOString(),
    type: 'notify-failure',
    environment: event.environment,
    status: 'failed',
    verified: false,
    ...(event.release ? { release: { ...event.release, contentHash: null } } : {}),
    user: who.user,
    host: who.host,
    reason: `${failure.channel}: ${event.type} not delivered after ${failure.attempts} attempt${failure.attempts === 1 ? '' : 's'}: ${failure.reason}`,
    detail: failure.deliveryId,
  };
}
