import { basename, dirname } from 'node:path';
import { hostname, userInfo } from 'node:os';
import { z } from 'zod';
import type { HistoryRecord } from '../../contracts/history.js';
import type { PostCheckResult } from '../../contracts/summary.js';
import { Guard, describeGuard, type GuardDecision, type GuardSnapshot, type PreviousRelease } from '../../guard/index.js';
import type { Runtime } from '../../router/runtime.js';
import { upstreamSchema } from '../../router/control-methods.js';
import { StateStore } from '../../state/store.js';
import { createExecutor } from '../../exec/executor.js';
import { Redactor } from '../../exec/redact.js';
import { NotifySchema } from '../../notify/config-schema.js';
import { DeployNotices, secretEnv } from '../../notify/deploy-notices.js';
import type { KeepWarm } from './keep-warm.js';
import { switchToWarm } from './switch-to-warm.js';
import { healthAfterMove } from '../../rollout/verify-moved.js';
import { exitStatusOf } from './local-runner.js';
import type { AppSupervisor, SupervisorEvent } from './supervisor.js';

export const guardStartParams = z.strictObject({
  environment: z.string().min(1),
  active: upstreamSchema,
  previous: upstreamSchema.nullable(),
  periodMs: z.number().int().min(1).max(7 * 24 * 3_600_000),
  windowMs: z.number().int().min(1).max(3_600_000),
  tickMs: z.number().int().min(1).max(60_000).optional(),
  thresholds: z.strictObject({ errorRate: z.number().min(0).max(1), p95Ms: z.number().min(0), minRequests: z.number().int().min(0) }),
  /** How the previous release is checked after a rollback: the deploy's own health timing (rollout/timing.ts). */
  health: z.strictObject({
    path: z.string().startsWith('/'),
    intervalMs: z.number().int().min(1).max(600_000),
    deadlineMs: z.number().int().min(1).max(600_000),
    checkTimeoutMs: z.number().int().min(1).max(600_000),
  }),
  drainTimeoutMs: z.number().int().min(0).max(3_600_000),
  stopTimeoutMs: z.number().int().min(0).max(600_000).optional(),
  /** Who deployed: lands in the history records the guard writes. */
  user: z.string().max(200).optional(),
  /** The guarded release as history shows it. */
  release: z.strictObject({ id: z.string(), version: z.string(), commit: z.string().nullable(), contentHash: z.string().nullable() }).optional(),
  /** Where guard events are sent (config `notify:`), with the values of the env vars it names (in memory only). */
  notify: z
    .strictObject({ app: z.string(), url: z.string(), projectRoot: z.string().startsWith('/'), config: NotifySchema, env: z.record(z.string(), z.string()) })
    .optional(),
  /** Config guard.rollbackWhenCold; the runtime cannot restart a cold release yet, so such a breach alerts and says so. */
  rollbackWhenCold: z.boolean().optional(),
});
export type GuardStartParams = z.output<typeof guardStartParams>;

/** What `guard.state` answers: the guard's snapshot, its status line and what it watches. Null fields when no guard ran. */
export interface GuardStatus {
  snapshot: GuardSnapshot | null;
  line: string | null;
  active: string | null;
  previous: string | null;
  /** Set after a rollback or alert: what the guard did. */
  outcome: string | null;
}

export interface GuardExtensionOptions {
  log?: (line: string) => void;
  /** Called after every decision the guard acts on (tests, notifications). */
  onAction?: (event: { type: 'rolled_back' | 'alert' | 'expired' | 'rollback_failed'; environment: string; detail: string; decision: GuardDecision | null }) => void;
}

/**
 * Hosts the post-deploy guard in the environment runtime (docs/guard.md). The runtime outlives the CLI, so the guard
 * keeps watching after `deploy` returns: it reads the router's metrics in-process, gets the supervisor's crashes,
 * and on a breach switches the router back to the warm previous release (the same instant switch as during a
 * deploy), checks it, and writes the failed check with its figures to history. Control methods: `guard.start`,
 * `guard.state`, `guard.stop`.
 *
 * Usage: `const g = guardExtension(); startRuntime({ extensions: [supervisorExtension({ onSupervisor: g.attach }), g.extend] })`.
 */
export function guardExtension(options: GuardExtensionOptions = {}): {
  attach(supervisor: AppSupervisor, keepWarm: KeepWarm): void;
  extend(runtime: Runtime): void;
} {
  let supervisor: AppSupervisor | null = null;
  let keepWarm: KeepWarm | null = null;
  let current: GuardEntry | null = null;
  const log = (line: string) => options.log?.(`guard: ${line}`);

  return {
    attach(s, k) {
      supervisor = s;
      keepWarm = k;
      s.on('event', (event: SupervisorEvent) => {
        if (!current || current.guard.state().state !== 'watching') return;
        if (event.type === 'exited' && !event.expected && event.id === current.params.active.id) current.guard.recordCrash();
      });
    },
    extend(runtime) {
      const store = new StateStore(dirname(dirname(runtime.stateDir)), basename(runtime.stateDir));
      const history = (record: Omit<HistoryRecord, 'ts' | 'user' | 'host' | 'environment' | 'type'>, params: GuardStartParams) =>
        store
          .appendHistory({ ts: new Date().toISOString(), type: 'guard', environment: params.environment, user: params.user ?? safeUser(), host: hostname(), ...(params.release ? { release: params.release } : {}), ...record })
          .catch((error) => log(`history append failed: ${String(error)}`));

      const previousState = (params: GuardStartParams): PreviousRelease => {
        if (!params.previous) return 'none';
        const app = supervisor?.get(params.previous.id);
        return app && app.state === 'running' ? 'warm' : 'cold';
      };

      const rollBack = async (entry: GuardEntry, decision: GuardDecision): Promise<void> => {
        const { params } = entry;
        runtime.keeper?.stash('guard', null);
        const previous = params.previous!;
        let switchMs: number;
        try {
          switchMs = await switchToWarm({ router: runtime.router, supervisor, keepWarm, store, log }, params.active.id, previous, params.drainTimeoutMs);
        } catch (error) {
          entry.outcome = `rollback failed: switching to ${previous.id} refused (${String(error)}); traffic is still on ${params.active.id}`;
          log(entry.outcome);
          options.onAction?.({ type: 'rollback_failed', environment: params.environment, detail: entry.outcome, decision });
          await history({ status: 'failed', verified: false, previous: previous.id, reason: `guard: ${decision.reason}`, detail: entry.outcome, checks: { pre: [], post: decision.figures } }, params);
          return;
        }
        log(`breach (${decision.reason}): traffic back on ${previous.id} in ${switchMs} ms`);
        // As after a deploy's switch back (src/rollout/verify-moved.ts): answered within the deadline, not at one try.
        const health = { ...(await healthAfterMove({ exitStatus: async (id) => exitStatusOf(supervisor?.get(id)) }, previous, params.health)), name: 'Health (previous)' };
        const verified = health.ok;
        const post: PostCheckResult[] = [...decision.figures, health];
        entry.outcome = verified
          ? `rolled back to ${previous.id} in ${switchMs} ms: ${decision.reason}`
          : `rolled back to ${previous.id} in ${switchMs} ms, but it fails its health check (${health.value})`;
        options.onAction?.({ type: 'rolled_back', environment: params.environment, detail: entry.outcome, decision });
        entry.notices?.send('guard.rolled_back', { release: notifyRelease(params), previous: { id: previous.id, version: previous.id, commit: null }, reason: decision.reason, figures: post });
        await history(
          {
            status: verified ? 'rolled_back' : 'failed',
            verified: false,
            previous: previous.id,
            reason: `guard: ${decision.reason}`,
            detail: `${entry.outcome}; ${params.active.id} stopped`,
            checks: { pre: [], post },
          },
          params,
        );
        await runtime.router.drain(params.active.id, params.drainTimeoutMs).catch(() => undefined);
        if (supervisor?.get(params.active.id)) await supervisor.stop(params.active.id, params.stopTimeoutMs ?? 10_000).catch(() => undefined);
      };

      const startGuard = (params: GuardStartParams) => {
        const entry: GuardEntry = { params, outcome: null, guard: null as unknown as Guard, notices: noticesFor(params, store), startedAt: Date.now() };
        // The keeper keeps the guard (notifier secrets included) in memory, for a runtime that replaces a crashed one.
        runtime.keeper?.stash('guard', { params, startedAt: entry.startedAt });
        entry.guard = new Guard({
          environment: params.environment,
          periodMs: params.periodMs,
          windowMs: params.windowMs,
          tickMs: params.tickMs,
          thresholds: params.thresholds,
          autoRollbackWhenCold: false,
          readMetrics: (windowMs) => runtime.router.metrics(params.active.id, windowMs),
          previousRelease: () => previousState(params),
          consumer: {
            onBreach: async (decision) => {
              if (decision.action === 'rollback' && decision.previous === 'warm') return rollBack(entry, decision);
              const why =
                decision.previous === 'none'
                  ? 'there is no previous release'
                  : `${params.previous?.id} is no longer warm${params.rollbackWhenCold ? '; guard.rollbackWhenCold is set, but the runtime cannot start a cold release: roll back with `deploy rollback`' : ''}`;
              entry.outcome = `alert: ${decision.reason}; not rolled back (${why}), ${params.active.id} still serves`;
              log(entry.outcome);
              options.onAction?.({ type: 'alert', environment: params.environment, detail: entry.outcome, decision });
              entry.notices?.send('guard.alert', { release: notifyRelease(params), previous: params.previous ? { id: params.previous.id, version: params.previous.id, commit: null } : null, reason: entry.outcome, figures: decision.figures });
              await history({ status: 'failed', verified: false, previous: params.previous?.id ?? null, reason: `guard: ${decision.reason}`, detail: entry.outcome, checks: { pre: [], post: decision.figures } }, params);
            },
            onExpire: async () => {
              runtime.keeper?.stash('guard', null);
              entry.outcome = `guard ended: ${params.active.id} stayed within thresholds for ${Math.round(params.periodMs / 1000)}s`;
              log(entry.outcome);
              options.onAction?.({ type: 'expired', environment: params.environment, detail: entry.outcome, decision: null });
              entry.notices?.send('guard.expired', { release: notifyRelease(params), reason: entry.outcome, figures: entry.guard.state().lastFigures });
              await history({ status: 'info', verified: false, previous: params.previous?.id ?? null, reason: 'guard expired', detail: entry.outcome }, params);
            },
            onError: (error) => log(`error: ${error instanceof Error ? error.message : String(error)}`),
          },
        });
        current = entry;
        entry.guard.start();
        log(`watching ${params.active.id} for ${params.periodMs} ms (previous ${params.previous?.id ?? 'none'})`);
        return statusOf(entry);
      };

      runtime.registry.register('guard.start', guardStartParams, async (params) => {
        if (current) {
          await current.guard.stop();
          const old = current.notices;
          if (old) void old.close(10_000);
        }
        return startGuard(params);
      });
      runtime.registry.register('guard.state', z.strictObject({}), () => statusOf(current));
      // After a failed deploy: the guard the deploy stopped watches the release that still serves, for what is left of its period.
      runtime.registry.register('guard.resume', z.strictObject({}), async () => {
        if (!current || current.guard.state().state === 'watching' || !current.outcome?.startsWith('stopped')) return statusOf(current);
        const left = current.startedAt + current.params.periodMs - Date.now();
        if (left <= 0 || runtime.router.table().active?.id !== current.params.active.id) return statusOf(current);
        const resumed = startGuard({ ...current.params, periodMs: left });
        log(`resumed watching ${current.params.active.id} after a deploy that did not replace it`);
        return resumed;
      });
      const saved = runtime.keeper?.restored<{ params: GuardStartParams; startedAt: number }>('guard');
      const left = saved ? saved.startedAt + saved.params.periodMs - Date.now() : 0;
      if (saved && left > 0 && runtime.router.table().active?.id === saved.params.active.id) {
        startGuard({ ...saved.params, periodMs: left });
        log(`restored after a runtime restart: ${Math.round(left / 1000)}s left`);
      }
      runtime.registry.register('guard.stop', z.strictObject({ reason: z.string().max(500).optional() }), async (params) => {
        if (!current) return statusOf(null);
        const wasWatching = current.guard.state().state === 'watching';
        await current.guard.stop();
        runtime.keeper?.stash('guard', null);
        if (wasWatching) {
          current.outcome = `stopped${params.reason ? `: ${params.reason}` : ''}`;
          log(current.outcome);
          await history({ status: 'info', verified: false, previous: current.params.previous?.id ?? null, reason: 'guard stopped', detail: current.outcome }, current.params);
        }
        return statusOf(current);
      });
      runtime.onShutdown(async () => {
        await current?.guard.stop();
        await current?.notices?.close(3_000);
      });
    },
  };
}

interface GuardEntry {
  guard: Guard;
  /** Date.now() at its start: a resumed or restored guard watches for what is left of the period. */
  startedAt: number;
  params: GuardStartParams;
  outcome: string | null;
  notices: DeployNotices | null;
}

/** The runtime's notifications (guard, crash loop); a command hook runs through the one executor, like in the orchestrator. */
export function noticesFor(params: Pick<GuardStartParams, 'environment' | 'notify'>, store: StateStore): DeployNotices | null {
  const n = params.notify;
  if (!n) return null;
  const redactor = new Redactor();
  const config = { app: n.app, environment: params.environment, projectRoot: n.projectRoot, url: n.url, notify: n.config, env: { values: n.env } };
  return DeployNotices.create({ config, executor: createExecutor({ redactor }), redactor, env: {}, appendHistory: (record) => store.appendHistory(record) });
}

function notifyRelease(params: GuardStartParams): { id: string; version: string; commit: string | null } {
  return params.release ? { id: params.release.id, version: params.release.version, commit: params.release.commit } : { id: params.active.id, version: params.active.id, commit: null };
}

function statusOf(entry: GuardEntry | null): GuardStatus {
  if (!entry) return { snapshot: null, line: null, active: null, previous: null, outcome: null };
  const snapshot = entry.guard.state();
  return { snapshot, line: describeGuard(snapshot), active: entry.params.active.id, previous: entry.params.previous?.id ?? null, outcome: entry.outcome };
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
