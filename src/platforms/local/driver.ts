import { join, relative } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { ExitCode, UserError } from '../../errors.js';
import type { DeployContext, DeployOutcome, PlatformDriver, PlatformStatus, StopOutcome } from '../../orchestrator/types.js';
import { connectRouter, type RouterClient } from '../../router/client.js';
import { ensureRouter } from '../../router/ensure.js';
import { builtFile } from '../../package-root.js';
import { pushRouterSettings } from '../../router/push-settings.js';
import { reachableHost } from '../../router/reachable-host.js';
import { appEnvironment, sharedDir } from './app-env.js';
import { flowTiming, type FlowTiming } from '../../rollout/timing.js';
import { markNothingRunning } from '../../rollout/slots.js';
import { LocalRunner, requireSupervisor } from './local-runner.js';
import { readRuntimeStatus } from './runtime-status.js';
import { prepareRelease } from './prepare-release.js';
import { listReleases, readRelease } from './releases.js';
import { retainAfterDeploy } from '../../releases/retention.js';
import { relinkForRollback, restoreForRollback } from '../../releases/prepare-dir.js';

export interface LocalDriverOptions {
  /** Address the environment's router binds. Default: config `listen` (loopback except for production). */
  host?: string;
  /** Shorter waits for tests. */
  timing?: Partial<FlowTiming>;
  /** The runtime entry (router + app supervisor); default the compiled runtime-daemon.js next to this file. */
  daemonPath?: string;
  /** How often the post-deploy guard reads its window; default 1s. */
  guardTickMs?: number;
}

/**
 * The rollout code (health checks, smoke, verification and the modules behind them) is the bulk of this
 * driver, so it is imported on use. The orchestrator calls `preload` once the pre-checks are running (they mostly wait on git and
 * the database), so it is loaded by the time the deploy needs it.
 */
const flows = {
  engine: () => import('../../rollout/engine.js'),
  target: () => import('../../rollout/router-target.js'),
  recover: () => import('./recover.js'),
  guard: () => import('./guard-client.js'),
};

export async function preload(): Promise<void> {
  await Promise.all([flows.engine(), flows.target(), flows.guard()]);
}

/** The local platform: releases as directories, app processes supervised by the environment runtime, our router in front. */
export function createDriver(options: LocalDriverOptions = {}): PlatformDriver {
  return {
    name: 'local',
    deploy: (ctx) => deploy(ctx, options),
    rollback: (ctx, to) => rollback(ctx, options, to),
    status: (ctx) => status(ctx),
    stop: (ctx) => stop(ctx),
    recover: async (ctx, journal) => {
      const router = await runtimeFor(ctx, options);
      const runner = new LocalRunner(router, { stateDir: ctx.config.stateDir, start: requireStart(ctx), env: (release) => appEnvironment(ctx.config, release) });
      const { recoverLocal } = await flows.recover();
      return recoverLocal(ctx, router, runner, journal, options.timing);
    },
  };
}

async function deploy(ctx: DeployContext, options: LocalDriverOptions): Promise<DeployOutcome> {
  const { config } = ctx;
  const start = requireStart(ctx);
  portOf(ctx); // a config error, before anything starts
  ctx.emit({ phase: 'release', state: 'start', message: `release from ${ctx.plan.options.ref ?? 'HEAD'}` });
  // The runtime (router + supervisor) and the release directory do not depend on each other: prepare both at once.
  // The release id is known only once the files are in place; createRelease adds RELEASE_ID itself.
  const buildEnv = appEnvironment(config, { id: '', version: '', commit: null, contentHash: null });
  const [runtime, created] = await Promise.allSettled([runtimeFor(ctx, options), prepareRelease(ctx, buildEnv, true)]);
  if (runtime.status === 'rejected') throw runtime.reason;
  if (created.status === 'rejected') throw created.reason;
  const router = runtime.value;
  if (!('release' in created.value)) return created.value.outcome;
  const release = created.value.release;
  const runner = new LocalRunner(router, { stateDir: config.stateDir, start, env: (r) => appEnvironment(config, r) });
  await mkdir(sharedDir(config.stateDir), { recursive: true });
  await ctx.journal?.phase('release-created', { release: release.id });
  ctx.emit({ phase: 'release', state: 'ok', message: `release ${release.id} (${release.version}, ${release.commit?.slice(0, 7) ?? 'no commit'})${release.buildMs !== null ? `, built in ${release.buildMs} ms` : ''}` });

  const [{ rollOut }, { routerTarget }, { startGuardAfterDeploy, stopGuard, resumeGuard }] = await Promise.all([flows.engine(), flows.target(), flows.guard()]);
  // A new deploy takes over from the guard of the last one (its warm release is about to be replaced).
  await stopGuard(router, 'a new deploy started');
  const outcome = await rollOut({
    ctx,
    target: routerTarget(router, runner),
    release,
    // The release's own migration files: what this commit expects, not the working tree's.
    migrations: { dir: relative(config.projectRoot, join(release.dir, config.migrations.dir ?? 'migrations')), env: appEnvironment(config, release) },
    publicUrl: publicUrlOf(ctx),
    timing: options.timing,
    afterSuccess: async (active, previous) => void (await retainAfterDeploy(ctx, { id: active, verified: true }, [active, previous])),
  });
  if (outcome.status !== 'success') {
    const now = await ctx.state.read();
    await retainAfterDeploy(ctx, { id: release.id, verified: false }, [now.active?.release, now.previous?.release]).catch((error: unknown) => ctx.log(`pruning releases failed: ${String(error)}`));
  }
  // The guard keeps watching the live release in the runtime after this process exits (docs/guard.md).
  if (outcome.status === 'success') await startGuardAfterDeploy(ctx, router, flowTiming(config, options.timing).health, options.guardTickMs);
  else await resumeGuard(router);
  return outcome;
}

async function rollback(ctx: DeployContext, options: LocalDriverOptions, to?: string): Promise<DeployOutcome> {
  const { config } = ctx;
  const start = requireStart(ctx);
  const state = await ctx.state.read();
  const known = (await listReleases(config.stateDir)).map((r) => r.id);
  const targetId = to ?? state.previous?.release;
  if (!targetId) throw new UserError(`${config.environment} has no previous release to roll back to; pass --to <release> (known: ${known.join(', ') || 'none'})`, ExitCode.usage);
  const target = await readRelease(config.stateDir, targetId);
  if (!target) throw new UserError(`release ${targetId} is not among the kept releases of ${config.environment} (known: ${known.join(', ') || 'none'})`, ExitCode.usage);
  const router = await runtimeFor(ctx, options);
  const runner = new LocalRunner(router, { stateDir: config.stateDir, start, env: (release) => appEnvironment(config, release) });
  const [{ rollBack }, { routerTarget }, { stopGuard }] = await Promise.all([flows.engine(), flows.target(), flows.guard()]);
  await stopGuard(router, 'manual rollback');
  await relinkForRollback(ctx, target);
  await restoreForRollback(ctx, target, appEnvironment(config, target));
  return rollBack({ ctx, target: routerTarget(router, runner), release: target, publicUrl: publicUrlOf(ctx), timing: options.timing });
}

async function status(ctx: DeployContext): Promise<PlatformStatus> {
  const { config } = ctx;
  const state = await ctx.state.read();
  const runtime = await readRuntimeStatus(config.stateDir, { active: state.active?.release ?? null, previous: state.previous?.release ?? null });
  return {
    url: config.url,
    active: state.active ? { release: state.active.release, upstream: state.active.upstream, uptimeMs: runtime?.active?.uptimeMs ?? null } : null,
    previous: state.previous ? { release: state.previous.release, upstream: state.previous.upstream, running: runtime?.previous?.up ?? false } : null,
    detail: !runtime ? 'the router is not running' : runtime.previous?.warmUntil ? `previous release warm until ${runtime.previous.warmUntil}` : undefined,
  };
}

async function stop(ctx: DeployContext): Promise<StopOutcome> {
  const { config } = ctx;
  const client = await connectRouter(config.stateDir).catch(() => null);
  if (!client) return { stopped: [], message: `nothing runs for ${config.environment}` };
  const runner = new LocalRunner(client, { stateDir: config.stateDir, start: '', env: () => ({}) });
  const apps = await runner.list().catch(() => []);
  for (const app of apps) await runner.stop(app.id, config.drainTimeoutMs);
  await client.shutdown(config.drainTimeoutMs);
  client.close();
  await markNothingRunning(ctx.state);
  const stopped = apps.filter((a) => a.state === 'running' || a.state === 'backoff').map((a) => a.id);
  return { stopped, message: `stopped the router of ${config.environment} and ${stopped.length} app process(es)` };
}

function requireStart(ctx: DeployContext): string {
  if (!ctx.config.start) throw new UserError('start: required for platform local (the command that starts one instance, e.g. "node server.js")', ExitCode.usage);
  return ctx.config.start;
}

function portOf(ctx: DeployContext): number {
  if (ctx.config.port === null) throw new UserError(`environments.${ctx.config.environment}.port: required for platform local`, ExitCode.usage);
  return ctx.config.port;
}

function publicUrlOf(ctx: DeployContext): string {
  return `http://${reachableHost(ctx.config.listen)}:${portOf(ctx)}`;
}

async function runtimeFor(ctx: DeployContext, options: LocalDriverOptions): Promise<RouterClient> {
  // A runtime that died (router + supervisor) is restarted by ensureRouter from its saved table: say so in history.
  const wasRunning = await connectRouter(ctx.config.stateDir).then((c) => (c.close(), true), () => false);
  const client = await ensureRouter({
    stateDir: ctx.config.stateDir,
    port: portOf(ctx),
    host: options.host ?? ctx.config.listen,
    daemonPath: options.daemonPath ?? builtFile('localRuntime'),
  });
  ctx.defer(() => client.close());
  await pushRouterSettings(client, ctx.config.router);
  await requireSupervisor(client, ctx.config.environment);
  await (await flows.guard()).configureAlerts(ctx, client);
  const active = wasRunning ? null : (await ctx.state.read()).active;
  // Only a crash: after `deploy stop` the active release is marked not running and a start is expected.
  if (active?.running) {
    const detail = `the runtime (router + supervisor) of ${ctx.config.environment} was not running; restarted from its saved routing table`;
    ctx.emit({ phase: 'runtime', state: 'warn', message: detail });
    await ctx.state.appendHistory({ ts: new Date().toISOString(), type: 'restart', environment: ctx.config.environment, status: 'recovered', verified: false, release: { id: active.release, version: '', commit: null, contentHash: null }, user: process.env.USER ?? 'unknown', host: hostname(), detail });
  }
  return client;
}
