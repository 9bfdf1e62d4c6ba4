import { hostname, userInfo } from 'node:os';
import type { HistoryRecord } from '../contracts/history.js';
import type { ReleaseDiff } from '../contracts/release-diff.js';
import type { DeploySummary, PostCheckResult } from '../contracts/summary.js';
import type { Executor } from '../exec/executor.js';
import type { Redactor } from '../exec/redact.js';
import { resolveChannels } from './config.js';
import type { NotifyConfig } from './config-schema.js';
import { type NotifyEventType, type NotifyRelease, createNotifyEvent } from './event.js';
import { notifyFailureRecord } from './history.js';
import { Notifier } from './notifier.js';
import type { RetryPolicy } from './retry.js';

/** What the notices need from the resolved config. */
export interface NoticeConfig {
  app: string;
  environment: string;
  projectRoot: string;
  url: string;
  notify: NotifyConfig | null;
  env: { values: Record<string, string> };
}

export interface DeployNoticesOptions {
  config: NoticeConfig;
  executor: Executor;
  /** Where a delivery that gave up is written (history 'notify-failure'). */
  appendHistory(record: HistoryRecord): Promise<void>;
  redactor?: Redactor;
  /** Process env; the env files' values are under it (the process environment wins, as for the config). */
  env?: NodeJS.ProcessEnv;
  retry?: Partial<RetryPolicy>;
  /** A destination left out (e.g. its secret env var is unset): one line, names only. */
  warn?(line: string): void;
}

/**
 * The notifications of one orchestrator run (deploy start, success, failure, rollback, lock taken over), sent
 * fire-and-forget; `close` flushes with a short timeout at the end of the run so a slow receiver never holds a deploy.
 */
export class DeployNotices {
  private readonly actor = safeUser();
  private readonly host = hostname();
  private readonly writes: Promise<void>[] = [];

  private constructor(
    private readonly config: NoticeConfig,
    private readonly notifier: Notifier,
  ) {}

  /** Null when the config has no `notify:` block (nothing to send). */
  static create(options: DeployNoticesOptions): DeployNotices | null {
    const { config } = options;
    if (!config.notify) return null;
    const env = secretEnv(config, options.env ?? process.env);
    const resolved = resolveChannels(config.notify, { env, projectRoot: config.projectRoot, executor: options.executor });
    for (const problem of resolved.problems) options.warn?.(`${problem.path}: ${problem.message}; that destination is skipped`);
    if (resolved.channels.length === 0) return null;
    options.redactor?.add(...resolved.secrets);
    let notices: DeployNotices | null = null;
    const notifier = new Notifier({
      channels: resolved.channels,
      retry: options.retry,
      redactor: options.redactor,
      onFailure: (failure) => {
        const write = options.appendHistory(notifyFailureRecord(failure, { user: safeUser(), host: hostname() })).catch(() => undefined);
        notices?.writes.push(write);
      },
    });
    notices = new DeployNotices(config, notifier);
    return notices;
  }

  send(type: NotifyEventType, fields: { release?: NotifyRelease | null; previous?: NotifyRelease | null; reason?: string | null; figures?: PostCheckResult[]; summary?: string; shipped?: ReleaseDiff | null }): void {
    this.notifier.notify(
      createNotifyEvent({
        type,
        app: this.config.app,
        environment: this.config.environment,
        actor: this.actor,
        host: this.host,
        url: this.config.url || null,
        ...fields,
      }),
    );
  }

  /** The end of a deploy or rollback run, from its summary. Blocked runs (pre-checks, lock) send nothing. */
  finished(summary: DeploySummary, kind: 'deploy' | 'rollback' | 'stop', previous: string | null): void {
    if (kind === 'stop' || summary.dryRun || summary.status === 'blocked') return;
    const release: NotifyRelease = { id: summary.release.id, version: summary.release.version, commit: summary.release.commit };
    const prev = previous ? { id: previous, version: previous, commit: null } : null;
    const figures = summary.checks.post;
    const shipped = summary.shipped ?? null;
    if (summary.status === 'success') return this.send('deploy.succeeded', { release, previous: prev, figures, shipped });
    if (summary.status === 'rolled_back') return this.send('deploy.rolled_back', { release, previous: prev, reason: summary.rollback.reason ?? summary.message ?? null, figures, shipped });
    this.send('deploy.failed', { release, previous: prev, reason: summary.message ?? summary.rollback.reason ?? null, figures, shipped });
  }

  /** Waits up to `timeoutMs` for deliveries in flight, then gives up on them (they were best effort). */
  async close(timeoutMs = 3_000): Promise<boolean> {
    const done = await this.notifier.flush(timeoutMs);
    await this.notifier.close().catch(() => undefined);
    await Promise.all(this.writes);
    return done;
  }
}

/** Only the variables the `notify:` block names, from the env files with the process environment on top. */
export function secretEnv(config: NoticeConfig, processEnv: NodeJS.ProcessEnv): Record<string, string> {
  const names = [...(config.notify?.webhooks ?? []).map((w) => w.secretEnv), ...(config.notify?.slack ?? []).map((s) => s.urlEnv)];
  const env: Record<string, string> = {};
  for (const name of names) {
    const value = processEnv[name] ?? config.env.values[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
