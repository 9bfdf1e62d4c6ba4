import { join, relative } from 'node:path';
import { ExitCode, UserError } from '../../errors.js';
import type { DeployContext, DeployOutcome, PlatformDriver, PlatformStatus, StopOutcome } from '../../orchestrator/types.js';
import { pushRouterSettings } from '../../router/push-settings.js';
import { appEnvironment } from '../local/app-env.js';
import { rollBack, rollOut } from '../../rollout/engine.js';
import { failedBeforeSwitch } from '../../rollout/outcome.js';
import { routerTarget } from '../../rollout/router-target.js';
import { markNothingRunning } from '../../rollout/slots.js';
import { flowTiming, type FlowTiming } from '../../rollout/timing.js';
import { prepareRelease } from '../local/prepare-release.js';
import { retainAfterDeploy } from '../../releases/retention.js';
import * as containers from './containers.js';
import { ImageBuildError, DockerCommandError } from './errors.js';
import { imageRef } from './names.js';
import { DockerReleaseRunner } from './release-runner.js';
import { findRouter, placeRouter, stopRouter, type RouterPlacement } from './router-placement.js';
import { containerSecrets, dockerSettings, releaseVariables } from './settings.js';

const DOCKER_HEALTH_INTERVAL_MS = 10_000;

export interface DockerDriverOptions {
  /** Address the environment's router binds. Default 0.0.0.0. */
  host?: string;
  /** Shorter waits for tests. */
  timing?: Partial<FlowTiming>;
  /** The runtime entry (router + containers.*); default the compiled runtime-daemon.js next to this file. */
  daemonPath?: string;
  /** Overrides docker.network / SHIPGATE_DOCKER_NETWORK (tests on an engine without a bridge). */
  network?: 'bridge' | 'host' | { name: string };
}

/**
 * The docker platform: the rollout engine (src/rollout/) with releases run as containers by DockerReleaseRunner
 * and our router in front, so blue-green and canary both run here.
 */
export function createDriver(options: DockerDriverOptions = {}): PlatformDriver {
  return {
    name: 'docker',
    deploy: (ctx) => deploy(ctx, options),
    rollback: (ctx, to) => rollback(ctx, options, to),
    status: (ctx) => status(ctx),
    stop: (ctx) => stop(ctx),
  };
}

async function deploy(ctx: DeployContext, options: DockerDriverOptions): Promise<DeployOutcome> {
  const { config } = ctx;
  const settings = dockerSettings(config);
  await containers.checkEngine({ executor: ctx.executor });
  const router = await runtimeFor(ctx, options);
  const runner = await runnerFor(ctx, options, router);

  ctx.emit({ phase: 'release', state: 'start', message: `release from ${ctx.plan.options.ref ?? 'HEAD'}` });
  const created = await prepareRelease(ctx, appEnvironment(config, { id: 'build', version: '', commit: null, contentHash: null }));
  if ('outcome' in created) return created.outcome;
  const { release } = created;

  const image = imageRef(config.app, release.id);
  ctx.step('image');
  ctx.emit({ phase: 'image', state: 'start', message: settings.image ? `tagging ${settings.image} as ${image}` : `docker build ${image}` });
  try {
    await containers.prepareImage(
      { executor: ctx.executor },
      { app: config.app, release: release.id, version: release.version, commit: release.commit, contentHash: release.contentHash, contextDir: release.dir, dockerfile: settings.dockerfile, prebuilt: settings.image ?? undefined },
      image,
    );
  } catch (error) {
    if (!(error instanceof ImageBuildError) && !(error instanceof DockerCommandError)) throw error;
    ctx.emit({ phase: 'image', state: 'fail', message: error.message });
    const check = { name: 'Image', ok: false, value: error.message, threshold: settings.image ? 'image available' : 'docker build succeeds' };
    const tail = error instanceof ImageBuildError ? error.logTail : [error.detail];
    return failedBeforeSwitch(release, await activeRelease(ctx), check, tail);
  }
  ctx.emit({ phase: 'image', state: 'ok', message: `image ${image} (${release.version}, ${release.commit?.slice(0, 7) ?? 'no commit'})` });

  return rollOut({
    ctx,
    target: routerTarget(router.client, runner),
    release,
    migrations: { dir: relative(config.projectRoot, join(release.dir, config.migrations.dir ?? 'migrations')), env: appEnvironment(config, release) },
    publicUrl: router.publicUrl,
    timing: options.timing,
    afterSuccess: async (active, previous) => {
      const protect = [active, previous].filter((id): id is string => Boolean(id));
      const deleted = await retainAfterDeploy(ctx, { id: active, verified: true }, protect);
      const removed = await containers.pruneImages({ executor: ctx.executor }, config.app, config.releases.keep, protect);
      if (deleted.length + removed.length > 0) ctx.log(`pruned releases: ${deleted.join(', ') || 'none'}; images: ${removed.join(', ') || 'none'}`);
    },
  });
}

async function rollback(ctx: DeployContext, options: DockerDriverOptions, to?: string): Promise<DeployOutcome> {
  const { config } = ctx;
  const state = await ctx.state.read();
  const known = state.releases.map((r) => r.id);
  const targetId = to ?? state.previous?.release;
  if (!targetId) throw new UserError(`${config.environment} has no previous release to roll back to; pass --to <release> (known: ${known.join(', ') || 'none'})`, ExitCode.usage);
  const target = state.releases.find((r) => r.id === targetId);
  if (!target) throw new UserError(`release ${targetId} is not known to ${config.environment} (known: ${known.join(', ') || 'none'})`, ExitCode.usage);
  await containers.checkEngine({ executor: ctx.executor });
  const image = imageRef(config.app, target.id);
  if (!(await containers.imageExists({ executor: ctx.executor }, image))) {
    throw new UserError(`image ${image} for release ${target.id} is no longer on the engine (kept: the last ${config.releases.keep}); deploy that commit again instead`, ExitCode.usage);
  }
  const router = await runtimeFor(ctx, options);
  return rollBack({ ctx, target: routerTarget(router.client, await runnerFor(ctx, options, router)), release: target, publicUrl: router.publicUrl, timing: options.timing });
}

async function status(ctx: DeployContext): Promise<PlatformStatus> {
  const { config } = ctx;
  const state = await ctx.state.read();
  const rows = await containers.listContainers({ executor: ctx.executor }, config.app, config.environment).catch(() => null);
  const client = await findRouter(ctx);
  const warm = client ? await client.call<Array<{ id: string; until: string }>>('containers.warm').catch(() => []) : [];
  client?.close();
  const row = (release: string | undefined) => rows?.find((r) => r.release === release && r.state === 'running');
  const lines = rows === null ? ['the Docker Engine does not answer'] : rows.map((r) => `container ${r.id.slice(0, 12)} ${r.image} ${r.state} (${r.status})${r.release === state.active?.release ? ' active' : ''}`);
  if (!client) lines.push('the router is not running');
  for (const w of warm) lines.push(`${w.id} warm until ${w.until}`);
  return {
    url: config.url,
    active: state.active ? { release: state.active.release, upstream: state.active.upstream, uptimeMs: null } : null,
    previous: state.previous ? { release: state.previous.release, upstream: state.previous.upstream, running: Boolean(row(state.previous.release)) } : null,
    detail: lines.join('\n') || `no containers for ${config.environment}`,
  };
}

async function stop(ctx: DeployContext): Promise<StopOutcome> {
  const { config } = ctx;
  const deps = { executor: ctx.executor };
  const rows = await containers.listContainers(deps, config.app, config.environment);
  const stopSeconds = Math.ceil(config.drainTimeoutMs / 1000);
  for (const row of rows) await containers.stopAndRemove(deps, row.id, stopSeconds);
  const routerStopped = await stopRouter(ctx);
  await markNothingRunning(ctx.state);
  const stopped = rows.map((r) => r.release ?? r.name);
  return { stopped, message: `removed ${rows.length} container(s) of ${config.environment}${routerStopped ? ' and stopped its router' : ''}; images kept for rollback` };
}

async function runnerFor(ctx: DeployContext, options: DockerDriverOptions, router: RouterPlacement): Promise<DockerReleaseRunner> {
  const { config } = ctx;
  const settings = dockerSettings(config);
  const wanted = options.network ?? settings.network;
  const network = wanted === 'auto' ? await containers.defaultNetwork({ executor: ctx.executor }) : wanted;
  const timing = flowTiming(config, options.timing);
  return new DockerReleaseRunner({
    executor: ctx.executor,
    app: config.app,
    environment: config.environment,
    containerPort: settings.port,
    network,
    // The flow polls health over HTTP while it waits; the engine's own check is for the long run (status,
    // unhealthy marking), and each run forks a process in the container, so it ticks slowly.
    health: { path: config.health.path, intervalMs: DOCKER_HEALTH_INTERVAL_MS, timeoutMs: timing.health.checkTimeoutMs, retries: 3 },
    env: () => containerSecrets(config),
    releaseEnv: (release) => releaseVariables(config, release),
    runtime: router.client,
    reach: router.reach,
  });
}

async function activeRelease(ctx: DeployContext): Promise<string | null> {
  return (await ctx.state.read()).active?.release ?? null;
}

async function runtimeFor(ctx: DeployContext, options: DockerDriverOptions): Promise<RouterPlacement> {
  const router = await placeRouter(ctx, { host: options.host, daemonPath: options.daemonPath });
  const { client } = router;
  await pushRouterSettings(client, ctx.config.router);
  const methods = await client.call<string[]>('router.methods');
  if (!methods.includes('containers.retire')) {
    client.close();
    throw new UserError(`the router of ${ctx.config.environment} was started by another platform; run \`deploy stop ${ctx.config.environment}\` and deploy again`, ExitCode.needsHuman);
  }
  return router;
}
