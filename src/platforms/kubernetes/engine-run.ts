import type { DeployContext } from '../../orchestrator/types.js';
import type { ReleaseMeta, RolloutTarget } from '../../rollout/target.js';
import type { FlowTiming } from '../../rollout/timing.js';
import { type KubeClient, resourcePath } from './api.js';
import type { ReleaseSpec } from './manifests.js';
import type { DeploymentPlan, Selector } from './plan.js';
import { readyPod } from './pods.js';
import { kubernetesTarget } from './rollout-target.js';
import { type Forward, openTunnel } from './tunnel.js';
import { requestTimeoutMs } from './verify.js';

/** What the rollout engine (src/rollout/engine.ts) needs to run a plan on the cluster. */
export interface EngineRun {
  ctx: DeployContext;
  target: RolloutTarget;
  release: ReleaseMeta;
  publicUrl: string;
  timing: Partial<FlowTiming>;
}

/**
 * The plan's target for the engine, closed when the run ends. Without `url`, the users' side is a tunnel to a pod
 * the Service selects at the moment of each connection: blue before the switch, green after it.
 */
export async function throughEngine(ctx: DeployContext, client: KubeClient, forward: Forward, plan: DeploymentPlan, existing: boolean): Promise<EngineRun> {
  const { release, service } = plan;
  let publicUrl = ctx.config.url;
  if (!publicUrl) {
    const selected = async () => {
      const svc = await client.request<{ spec?: { selector?: Selector } }>('GET', resourcePath('v1', 'Service', service.namespace, service.name));
      return readyPod(client, service.namespace, svc.spec?.selector ?? {}, release.settings.port);
    };
    const tunnel = await openTunnel(selected, forward);
    ctx.defer(() => tunnel.close());
    publicUrl = tunnel.url;
  }
  const target = kubernetesTarget({ ctx, client, forward, plan, existing, publicUrl });
  ctx.defer(() => target.close());
  return { ctx, target, release: releaseMeta(release), publicUrl, timing: engineTiming(ctx) };
}

export const releaseMeta = (release: ReleaseSpec): ReleaseMeta => ({ id: release.id, version: release.image, commit: release.commit, contentHash: null });

/** Requests to a pod through a tunnel get the cluster's timeout; the window is read ten times. */
export function engineTiming(ctx: DeployContext): Partial<FlowTiming> {
  return { requestTimeoutMs: requestTimeoutMs(ctx), tickMs: Math.min(1_000, Math.max(50, Math.round(ctx.config.verify.windowMs / 10))) };
}
