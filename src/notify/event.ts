import type { ReleaseDiff } from '../contracts/release-diff.js';
import type { PostCheckResult } from '../contracts/summary.js';

/** Every event a channel can subscribe to; config `events:` lists use these names. */
export const NOTIFY_EVENT_TYPES = [
  'deploy.started',
  'deploy.succeeded',
  'deploy.failed',
  'deploy.rolled_back',
  'guard.rolled_back',
  'guard.alert',
  'guard.expired',
  'runtime.rolled_back',
  'runtime.alert',
  'lock.taken_over',
] as const;
export type NotifyEventType = (typeof NOTIFY_EVENT_TYPES)[number];

export type NotifyStatus = 'started' | 'success' | 'failed' | 'rolled_back' | 'alert' | 'expired' | 'info';

export interface NotifyRelease {
  id: string;
  version: string;
  commit: string | null;
}

/**
 * One thing worth telling people about. Built only from typed fields the
 * orchestrator already shows the user; it never carries env values or tokens.
 */
export interface NotifyEvent {
  type: NotifyEventType;
  app: string | null;
  environment: string;
  release: NotifyRelease | null;
  /** The release traffic went back to (rollbacks) or the one replaced (success). */
  previous: NotifyRelease | null;
  status: NotifyStatus;
  /** One line for humans, e.g. "shop staging: v1.4.0 rolled back by the guard". */
  summary: string;
  reason: string | null;
  figures: PostCheckResult[];
  /** Deploy events: commits, migration files and dependency changes since the replaced release (null when unknown). */
  shipped: ReleaseDiff | null;
  url: string | null;
  actor: string;
  host: string | null;
  /** ISO 8601. */
  time: string;
}

export type NotifyEventInput = Pick<NotifyEvent, 'type' | 'environment' | 'actor'> &
  Partial<Omit<NotifyEvent, 'type' | 'environment' | 'actor'>>;

const statusOf: Record<NotifyEventType, NotifyStatus> = {
  'deploy.started': 'started',
  'deploy.succeeded': 'success',
  'deploy.failed': 'failed',
  'deploy.rolled_back': 'rolled_back',
  'guard.rolled_back': 'rolled_back',
  'guard.alert': 'alert',
  'runtime.rolled_back': 'rolled_back',
  'runtime.alert': 'alert',
  'guard.expired': 'expired',
  'lock.taken_over': 'info',
};

const verbOf: Record<NotifyEventType, string> = {
  'deploy.started': 'deploy started',
  'deploy.succeeded': 'deployed and verified',
  'deploy.failed': 'deploy failed',
  'deploy.rolled_back': 'rolled back automatically during the deploy',
  'guard.rolled_back': 'rolled back automatically by the post-deploy guard',
  'guard.alert': 'breached the post-deploy guard; previous release is cold, not rolled back',
  'runtime.rolled_back': 'kept crashing; the runtime rolled back to the warm previous release',
  'runtime.alert': 'kept crashing; no warm previous release to roll back to',
  'guard.expired': 'guard period ended without a breach',
  'lock.taken_over': 'deploy lock taken over from a dead holder',
};

export function isNotifyEventType(value: string): value is NotifyEventType {
  return (NOTIFY_EVENT_TYPES as readonly string[]).includes(value);
}

export function describeRelease(release: NotifyRelease | null): string {
  if (!release) return 'unknown release';
  const commit = release.commit ? ` (${release.commit.slice(0, 7)})` : '';
  return `${release.version}${commit}`;
}

/** Fills status, summary and time from the type and the clock. */
export function createNotifyEvent(input: NotifyEventInput, now: () => Date = () => new Date()): NotifyEvent {
  const release = input.release ?? null;
  const where = input.app ? `${input.app} ${input.environment}` : input.environment;
  return {
    type: input.type,
    app: input.app ?? null,
    environment: input.environment,
    release,
    previous: input.previous ?? null,
    status: input.status ?? statusOf[input.type],
    summary: input.summary ?? `${where}: ${describeRelease(release)} ${verbOf[input.type]}`,
    reason: input.reason ?? null,
    figures: input.figures ?? [],
    shipped: input.shipped ?? null,
    url: input.url ?? null,
    actor: input.actor,
    host: input.host ?? null,
    time: input.time ?? now().toISOString(),
  };
}
