import { userInfo } from 'node:os';
import type { z } from 'zod';
import type { NotifySchema } from '../../notify/config-schema.js';
import type { GuardStartParams, GuardStatus } from './guard-extension.js';
import type { HealthTiming } from '../../rollout/target.js';

/**
 * The orchestrator's side of the post-deploy guard: two control calls to the environment runtime. Kept apart from
 * guard-extension.ts (the runtime's side), so a deploy does not load the guard, the router's meter and their
 * dependencies just to send them.
 */

/** The part of DeployContext the guard's start needs. */
interface GuardStartContext {
  config: {
    app: string;
    environment: string;
    projectRoot: string;
    url: string;
    guardMs: number;
    guardRollbackWhenCold?: boolean;
    drainTimeoutMs: number;
    verify: { windowMs: number; errorRate: number; p95Ms: number; minRequests: number };
    notify?: z.output<typeof NotifySchema> | null;
    env: { values: Record<string, string> };
  };
  state: {
    read(): Promise<{
      active: { release: string; upstream: string | null } | null;
      previous: { release: string; upstream: string | null; running?: boolean } | null;
      releases: { id: string; version: string; commit: string | null; contentHash: string | null }[];
    }>;
  };
  emit(event: { phase: string; state: 'start' | 'ok' | 'fail' | 'warn' | 'info'; message: string }): void;
  log(line: string): void;
}

/**
 * After a verified deploy: asks the environment runtime to guard the live release (control call `guard.start`).
 * Never fails the deploy: a runtime without the guard only logs.
 */
export async function startGuardAfterDeploy(
  ctx: GuardStartContext,
  router: { call<T>(method: string, params?: unknown): Promise<T> },
  health: HealthTiming,
  tickMs?: number,
): Promise<GuardStatus | null> {
  const { config } = ctx;
  if (config.guardMs <= 0) return null;
  const state = await ctx.state.read();
  if (!state.active?.upstream) return null;
  const previous = state.previous?.upstream ? { id: state.previous.release, url: `http://${state.previous.upstream}` } : null;
  const params: GuardStartParams = {
    environment: config.environment,
    active: { id: state.active.release, url: `http://${state.active.upstream}` },
    previous,
    periodMs: config.guardMs,
    windowMs: config.verify.windowMs,
    tickMs,
    thresholds: { errorRate: config.verify.errorRate, p95Ms: config.verify.p95Ms, minRequests: config.verify.minRequests },
    health,
    drainTimeoutMs: config.drainTimeoutMs,
    user: safeUser(),
    release: releaseOf(state.releases.find((r) => r.id === state.active!.release)),
    rollbackWhenCold: config.guardRollbackWhenCold ?? false,
    notify: config.notify
      ? { app: config.app, url: config.url, projectRoot: config.projectRoot, config: config.notify, env: await notifySecrets({ ...config, notify: config.notify }) }
      : undefined,
  };
  try {
    const status = await router.call<GuardStatus>('guard.start', params);
    ctx.emit({ phase: 'guard', state: 'info', message: `guard watching ${params.active.id} for ${Math.round(config.guardMs / 1000)}s${previous ? ` (${previous.id} kept warm for a rollback)` : ''}` });
    return status;
  } catch (error) {
    ctx.log(`guard not started: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
}

/** A new deploy or a manual rollback takes over: the guard of the previous deploy ends. */
export async function stopGuard(router: { call<T>(method: string, params?: unknown): Promise<T> }, reason: string): Promise<void> {
  await router.call('guard.stop', { reason }).catch(() => undefined);
}

/**
 * Tells the runtime where its own alerts go (crash loop: src/platforms/local/crash-loop.ts). Sent whenever a command
 * reaches the runtime, so a runtime started at boot by `deploy resume` alerts too. Never fails the command.
 */
export async function configureAlerts(ctx: Pick<GuardStartContext, 'config' | 'log'>, router: { call<T>(method: string, params?: unknown): Promise<T> }): Promise<void> {
  const { config } = ctx;
  const notify = config.notify
    ? { app: config.app, url: config.url, projectRoot: config.projectRoot, config: config.notify, env: await notifySecrets({ ...config, notify: config.notify }) }
    : undefined;
  await router.call('alerts.configure', { environment: config.environment, drainTimeoutMs: config.drainTimeoutMs, notify }).catch((error: unknown) => ctx.log(`alerts not configured: ${String(error)}`));
}

/** A deploy that did not replace the live release (failed, rolled back): its guard watches on for what is left. */
export async function resumeGuard(router: { call<T>(method: string, params?: unknown): Promise<T> }): Promise<void> {
  await router.call('guard.resume', {}).catch(() => undefined);
}

function releaseOf(r: { id: string; version: string; commit: string | null; contentHash: string | null } | undefined): GuardStartParams['release'] {
  return r ? { id: r.id, version: r.version, commit: r.commit, contentHash: r.contentHash } : undefined;
}

/** The values of the env vars `notify:` names (secrets; sent to the runtime over its 0600 socket, never stored). */
async function notifySecrets(config: GuardStartContext['config'] & { notify: z.output<typeof NotifySchema> }): Promise<Record<string, string>> {
  const { secretEnv } = await import('../../notify/deploy-notices.js');
  return secretEnv(config, process.env);
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
