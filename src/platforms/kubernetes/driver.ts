import type { KubernetesSettings } from './config.js';
import { ExitCode, UserError } from '../../errors.js';
import type { DeployContext, DeployOutcome, PlatformDriver, PlatformStatus, StopOutcome } from '../../orchestrator/types.js';
import { type KubeClient, connectKube, loadKubeConfig, resourcePath } from './api.js';
import { type CanaryPlan, type RouteView, type ServiceView, planGatewayCanary, planRatioCanary } from './canary-plan.js';
import { rollBack, rollOut } from '../../rollout/engine.js';
import { LABELS, appLabel } from './names.js';
import { pruneReleases } from './prune.js';
import { readHold } from './hold.js';
import { type KubePlan, planDeployment, planRollout } from './plan.js';
import { resolveCommit, releaseSpec } from './release.js';
import { renderPlan } from './render.js';
import { recoverRun } from './recover.js';
import { rollbackPlan } from './rollback-plan.js';
import { formatSelector } from './state-report.js';
import { type Forward, podIpForward, portForward } from './tunnel.js';
import { throughEngine } from './engine-run.js';
import { argoRun } from './argo-target.js';
import { type DeploymentStatusView, deploymentReady } from './wait-ready.js';

export interface KubernetesDriverOptions {
  /** Replaces the kubeconfig-based client (unit tests). */
  connect?: (settings: KubernetesSettings) => Promise<KubeClient>;
  forward?: Forward;
}

/**
 * The kubernetes platform: blue-green with the cluster's own objects (a Deployment per release, the Service's
 * selector switched with a guarded JSON patch), or an Argo Rollouts `Rollout` promoted and aborted like its
 * kubectl plugin does. See docs/platforms/kubernetes.md.
 */
export function createDriver(options: KubernetesDriverOptions = {}): PlatformDriver {
  const connect = async (ctx: DeployContext) => {
    const settings = settingsOf(ctx);
    return options.connect ? options.connect(settings) : connectKube({ context: settings.context });
  };
  const forwardFor = (ctx: DeployContext): Forward =>
    options.forward ?? (settingsOf(ctx).smokeVia === 'pod-ip' ? podIpForward : portForward(() => loadKubeConfig(settingsOf(ctx).context)));

  return {
    name: 'kubernetes',
    async deploy(ctx) {
      assertStrategy(ctx);
      const client = await connect(ctx);
      const plan = await planFor(ctx, client);
      ctx.emit({ phase: 'release', state: 'ok', message: `release ${plan.release.id}: ${plan.release.image} on ${client.context}` });
      const forward = forwardFor(ctx);
      if (plan.mode === 'rollout') return rollOut({ ...argoRun(ctx, client, forward, plan), migrations: null });
      const run = await throughEngine(ctx, client, forward, plan, false);
      return rollOut({ ...run, migrations: null, afterSuccess: (active, previous) => pruneAfterDeploy(ctx, client, [active, ...(previous ? [previous] : [])]) });
    },
    async describePlan(ctx) {
      assertStrategy(ctx);
      const client = await connect(ctx);
      return { manifests: renderPlan(await planFor(ctx, client)) };
    },
    async rollback(ctx, to): Promise<DeployOutcome> {
      if (settingsOf(ctx).argoRollouts) throw new UserError('deploy rollback with argoRollouts: use `kubectl argo rollouts undo` (the Rollout keeps its own revisions)', ExitCode.usage);
      const client = await connect(ctx);
      const plan = await rollbackPlan(ctx, client, to);
      return rollBack(await throughEngine(ctx, client, forwardFor(ctx), plan, true));
    },
    async recover(ctx) {
      if (settingsOf(ctx).argoRollouts) return { active: null, stopped: [], ok: false, message: 'interrupted Argo Rollouts deploy: the Rollout stays paused or aborted as it was; check `kubectl argo rollouts get rollout`' };
      return recoverRun(ctx, await connect(ctx));
    },
    status: async (ctx) => status(ctx, await connect(ctx)),
    stop: async (ctx) => stop(ctx, await connect(ctx)),
  };
}

export function settingsOf(ctx: DeployContext): KubernetesSettings {
  const settings = ctx.config.kubernetes;
  if (!settings) throw new UserError(`environments.${ctx.config.environment}.kubernetes: required for platform kubernetes`, ExitCode.usage);
  return settings;
}

function assertStrategy(ctx: DeployContext): void {
  if (ctx.config.strategy === 'canary' && settingsOf(ctx).argoRollouts) {
    throw new UserError(`strategy canary with kubernetes.argoRollouts is not supported; the Rollout is blue-green`, ExitCode.usage);
  }
}

/** Reads what the plan depends on (the Service's selector), then plans purely. Used by deploy and --dry-run alike. */
async function planFor(ctx: DeployContext, client: KubeClient): Promise<KubePlan> {
  const settings = settingsOf(ctx);
  const release = releaseSpec(ctx, await resolveCommit(ctx), new Date());
  if (settings.argoRollouts) return planRollout(release);
  const service = await client.request<ServiceView & { spec?: { selector?: Record<string, string> } }>('GET', resourcePath('v1', 'Service', settings.namespace, settings.service));
  const selector = service.spec?.selector ?? {};
  const percents = ctx.config.canary.steps.map((f) => Math.round(f * 100)).filter((p) => p > 0 && p < 100);
  let canary: CanaryPlan | null = null;
  if (ctx.config.strategy === 'canary' && settings.gateway) {
    const route = await client.request<RouteView>('GET', resourcePath('gateway.networking.k8s.io/v1', 'HTTPRoute', settings.namespace, settings.gateway.route));
    canary = planGatewayCanary(release, service, route, percents);
    if (!canary) throw new UserError(`kubernetes.gateway.route: HTTPRoute ${settings.namespace}/${settings.gateway.route} has no backendRef to Service ${settings.service}`, ExitCode.usage);
  } else if (ctx.config.strategy === 'canary') {
    canary = planRatioCanary(release, selector, percents);
  }
  return planDeployment(release, selector, canary, await readHold(client, selector, release));
}

/** Our Deployments beyond `releases.keep` go; failures are logged, never fail the deploy. */
async function pruneAfterDeploy(ctx: DeployContext, client: KubeClient, protect: string[]): Promise<void> {
  const pruned = await pruneReleases(ctx, client, protect).catch((e: unknown) => {
    ctx.log(`pruning old releases failed: ${String(e)}`);
    return [];
  });
  if (pruned.length > 0) ctx.log(`pruned releases: ${pruned.join(', ')}`);
}

interface DeploymentItem extends DeploymentStatusView {
  metadata: DeploymentStatusView['metadata'] & { name: string; labels?: Record<string, string> };
}

async function ourDeployments(ctx: DeployContext, client: KubeClient): Promise<DeploymentItem[]> {
  const settings = settingsOf(ctx);
  const selector = encodeURIComponent(`${LABELS.app}=${appLabel(ctx.config.app)},app.kubernetes.io/managed-by=shipgate`);
  const list = await client.request<{ items?: DeploymentItem[] }>('GET', `${resourcePath('apps/v1', 'Deployment', settings.namespace)}?labelSelector=${selector}`);
  return list.items ?? [];
}

async function status(ctx: DeployContext, client: KubeClient): Promise<PlatformStatus> {
  const settings = settingsOf(ctx);
  const state = await ctx.state.read();
  const lines: string[] = [];
  let selected: string | null = null;
  try {
    const svc = await client.request<{ spec?: { selector?: Record<string, string> } }>('GET', resourcePath('v1', 'Service', settings.namespace, settings.service));
    selected = svc.spec?.selector?.[LABELS.release] ?? null;
    lines.push(`Service ${settings.namespace}/${settings.service} selects ${formatSelector(svc.spec?.selector ?? {})}`);
    for (const d of await ourDeployments(ctx, client)) {
      lines.push(`Deployment ${d.metadata.name} (${d.metadata.labels?.[LABELS.slot] ?? '?'}): ${deploymentReady(d).detail}`);
    }
  } catch (error) {
    lines.push(`the API server (${client.server}) could not be read: ${(error as Error).message}`);
  }
  const activeId = selected ?? state.active?.release ?? null;
  return {
    url: ctx.config.url,
    active: activeId ? { release: activeId, upstream: `service/${settings.service}`, uptimeMs: null } : null,
    previous: state.previous ? { release: state.previous.release, upstream: state.previous.upstream, running: state.previous.running } : null,
    detail: lines.join('\n'),
  };
}

/** Scales every Deployment we created for the app to 0; nothing is deleted, so a later deploy or rollback can use them. */
async function stop(ctx: DeployContext, client: KubeClient): Promise<StopOutcome> {
  const settings = settingsOf(ctx);
  const stopped: string[] = [];
  for (const d of await ourDeployments(ctx, client)) {
    if ((d.spec?.replicas ?? 0) === 0) continue;
    await client.request('PATCH', resourcePath('apps/v1', 'Deployment', settings.namespace, d.metadata.name), [{ op: 'replace', path: '/spec/replicas', value: 0 }], 'application/json-patch+json');
    stopped.push(d.metadata.labels?.[LABELS.release] ?? d.metadata.name);
  }
  return { stopped, message: `scaled ${stopped.length} Deployment(s) of ${ctx.config.app} in ${settings.namespace} to 0; the Service ${settings.service} is unchanged` };
}
