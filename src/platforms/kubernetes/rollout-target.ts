import type { UpstreamMetrics } from '../../contracts/metrics.js';
import type { DeployContext } from '../../orchestrator/types.js';
import type { HealthTiming, ReadyResult, ReleaseMeta, RolloutTarget, RunningRelease } from '../../rollout/target.js';
import { TrafficError } from '../../rollout/traffic-error.js';
import { KubeApiError, type KubeClient, getOrNull, resourcePath } from './api.js';
import { createOrReplace, deleteObject, sendPatch } from './apply.js';
import { CanaryTraffic } from './canary-traffic.js';
import type { ClientMetrics } from './client-metrics.js';
import { LABELS, appLabel, deploymentName } from './names.js';
import { scalePatch, selectorPatch } from './patches.js';
import type { DeploymentPlan } from './plan.js';
import { readyPod, waitNoPods } from './pods.js';
import { recordRun } from './recover.js';
import { formatSelector, stateReport } from './state-report.js';
import { type Forward, type Tunnel, openTunnel } from './tunnel.js';
import { noMetrics, probeMeter } from './verify.js';
import { type DeploymentStatusView, waitDeploymentReady } from './wait-ready.js';
import { servingAfterWithdrawal } from './withdrawn.js';

export interface KubernetesTargetInput {
  ctx: DeployContext;
  client: KubeClient;
  forward: Forward;
  /** Everything this run creates and patches (src/platforms/kubernetes/plan.ts); its release is the engine's green. */
  plan: DeploymentPlan;
  /** Green's Deployment existed before the run (a rollback target): scaled up, and back to 0 on failure, never deleted. */
  existing: boolean;
  /** Where the users reach the Service: `url`, or a tunnel to a pod the Service selects. */
  publicUrl: string;
}

/**
 * Kubernetes as the rollout engine's target: a Deployment per release behind the Service's selector. Starting is
 * applying green's Secret and Deployment (no pod gets traffic: the Service does not select it, and on a first
 * release it is held off green's pods first, hold.ts); ready is every
 * replica ready (a stuck pod fails at once); a release is reached directly through a tunnel to one of its ready
 * pods; the whole switch is a `test`-guarded JSON patch of the selector; weights are the canary plan's (HTTPRoute
 * weights, or replica ratios, which only approximate); metrics are our own steady probes, measured client-side;
 * retiring scales to 0 after the scale-down delay (kept for `deploy rollback`).
 */
export function kubernetesTarget(input: KubernetesTargetInput): RolloutTarget & { close(): Promise<void> } {
  const { ctx, client, plan, existing } = input;
  const { release: green, service } = plan;
  const settings = green.settings;
  const ns = settings.namespace;
  const greenName = plan.deployment.metadata.name;
  const blueId = plan.blue?.release ?? null;
  const canary = plan.canary ? new CanaryTraffic(ctx, client, plan, plan.canary) : null;
  const tunnels = new Map<string, Tunnel>();
  const meters = new Map<string, ClientMetrics>();
  let switched = false;
  let started = false;
  /** The Service is held off green's pods (plan.hold) until the switch. */
  let holding = false;
  const switchFrom = plan.hold?.selector ?? plan.from;

  const labels = (id: string) => ({ [LABELS.app]: appLabel(green.app), [LABELS.release]: id });
  const reach = async (id: string): Promise<RunningRelease> => {
    let tunnel = tunnels.get(id);
    if (!tunnel) {
      tunnel = await openTunnel(() => readyPod(client, ns, labels(id), settings.port), input.forward);
      tunnels.set(id, tunnel);
    }
    return { id, url: tunnel.url, upstream: `deployment/${deploymentName(green.app, id)}` };
  };
  const stopMeters = async () => {
    await Promise.all([...meters.values()].map((m) => m.stop()));
    meters.clear();
  };
  const meter = (id: string, url: string, label: string, overMs: number) => {
    const m = probeMeter(ctx, url, label, overMs);
    meters.set(id, m);
    return m;
  };
  const removed = existing ? 'scaled back to 0' : 'deleted';

  /** The switch patch failed without a clear answer: where everything points now, read fresh. */
  const uncertain = async (step: string, error: unknown, lastKnown: string): Promise<TrafficError> => {
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
    const report = await stateReport(client, plan, lastKnown);
    const message = `the ${step} patch failed (${reason}); state: ${report}. Green ${green.id} was left as it is; check and fix by hand, or run \`deploy status ${ctx.config.environment}\``;
    return new TrafficError('unknown', message, { name: step === 'switch' ? 'Switch' : 'Rollback', ok: false, value: reason, threshold: 'Service patched' }, `${step} failed: ${reason}`);
  };

  /** The Service's selector to green alone (after a canary's steps: from both releases, and the route restored after). */
  const toGreen = async (): Promise<void> => {
    if (switched) return;
    await canary?.beforeSwitch();
    // A replica-ratio canary left the Service selecting both releases; without a step applied it still selects blue.
    const patch = canary?.canary.sharedSelector && !canary.split ? selectorPatch(service, plan.from, plan.to, 'traffic to green') : plan.switchTo;
    try {
      await sendPatch(client, patch);
    } catch (error) {
      if (error instanceof KubeApiError && (error.status === 422 || error.status === 409)) {
        // The test op failed: someone else moved the Service since we read it. Their change stands; ours is withdrawn.
        if (canary) await canary.restore().catch((e: unknown) => ctx.log(String(e)));
        const message = `the Service ${ns}/${service.name} selector changed during the deploy (expected ${formatSelector(switchFrom)}); nothing was switched, green ${green.id} was ${removed} and traffic stays where the other change put it`;
        throw new TrafficError('unchanged', message, { name: 'Switch', ok: false, value: 'selector changed by someone else', threshold: `selector still ${formatSelector(switchFrom)}` }, 'concurrent change of the Service selector');
      }
      throw await uncertain('switch', error, `last known: the selector was ${formatSelector(switchFrom)} when the switch patch was sent; whether it applied is unknown`);
    }
    switched = true;
    holding = false;
    ctx.emit({ phase: 'switch', state: 'ok', message: `Service ${service.name} → ${formatSelector(plan.to)}${blueId ? ` (blue ${blueId} still scaled up)` : ''}` });
    await canary?.afterSwitch();
  };

  /** Traffic back to what the Service selected before the run (blue): the canary's split undone, or the selector patched back. */
  const back = async (): Promise<string | void> => {
    if (canary?.split && !switched) return canary.restore();
    try {
      await sendPatch(client, plan.switchBack);
    } catch (error) {
      throw await uncertain('switch back', error, `last known: the selector was ${formatSelector(plan.to)} (green) when the switch-back patch was sent`);
    }
    switched = false;
    ctx.emit({ phase: 'rollback', state: 'ok', message: `Service ${service.name} → ${formatSelector(plan.from)} again` });
  };

  /** A new release is deleted with its Secret; a rollback target existed before the run and goes back to 0. */
  const removeGreen = async () => {
    if (switched) await back().catch((e: unknown) => ctx.log(`could not switch the Service back: ${String(e)}`));
    await canary?.cleanup();
    if (existing) {
      await sendPatch(client, scalePatch({ name: greenName, namespace: ns }, 0, 'previous', 'discard')).catch((e: unknown) => ctx.log(`could not scale ${greenName} down: ${String(e)}`));
    } else {
      await deleteObject(client, plan.deployment).catch((e: unknown) => ctx.log(`could not delete ${greenName}: ${String(e)}`));
      if (plan.secret) await deleteObject(client, plan.secret).catch((e: unknown) => ctx.log(`could not delete ${plan.secret!.metadata.name}: ${String(e)}`));
    }
    await letGo();
  };

  /**
   * A green that failed before the switch is gone: the Service gets its selector from before the deploy back. Only
   * once green's pods are gone: with no other ready endpoint, kube-proxy may still send traffic to terminating pods.
   */
  const letGo = async () => {
    if (!holding || !plan.hold) return;
    const gone = await waitNoPods(client, ns, labels(green.id), { deadlineMs: ctx.config.health.timeoutMs, intervalMs: ctx.config.health.intervalMs, clock: ctx.clock }).catch(() => false);
    if (!gone) ctx.log(`green ${green.id}'s pods were still terminating when the Service ${service.name} got its selector back`);
    try {
      await sendPatch(client, plan.hold.release);
      holding = false;
    } catch (error) {
      ctx.log(`could not put the Service ${service.name} back on ${formatSelector(plan.from)} (it stays on ${formatSelector(plan.hold.selector)}): ${String(error)}`);
    }
  };

  /** Before green starts: the Service keeps the pods it serves now, and green's pods cannot match it until the switch. */
  const hold = async () => {
    if (!plan.hold) return;
    try {
      await sendPatch(client, plan.hold.patch);
    } catch (error) {
      const reason = error instanceof KubeApiError && (error.status === 422 || error.status === 409) ? `its selector is no longer ${formatSelector(plan.from)}` : (error as Error).message.split('\n')[0];
      throw new Error(`the Service ${ns}/${service.name} could not be held off green's pods (${reason}); nothing was created and traffic was not moved`);
    }
    holding = true;
    ctx.emit({ phase: 'green', state: 'start', message: `Service ${service.name} → ${formatSelector(plan.hold.selector)} until the switch: the pods it serves now keep serving, green's cannot match` });
  };

  const scaleDown = (id: string) =>
    sendPatch(client, id === blueId && plan.retireBlue ? plan.retireBlue : scalePatch({ name: deploymentName(green.app, id), namespace: ns }, 0, 'previous', 'retire'));

  return {
    capabilities: { weights: settings.gateway ? true : 'approximate', metrics: 'probes' },

    async start(release: ReleaseMeta): Promise<RunningRelease> {
      if (release.id !== green.id) throw new Error(`the plan is for release ${green.id}, not ${release.id}`);
      if (existing) {
        ctx.emit({ phase: 'green', state: 'start', message: `scaling up Deployment ${ns}/${greenName} (${green.image}, ${settings.replicas} replica(s))` });
        await hold();
        try {
          await sendPatch(client, scalePatch({ name: greenName, namespace: ns }, settings.replicas, 'green', 'rollback target up'));
        } catch (error) {
          await removeGreen();
          throw error;
        }
      } else {
        // A killed run is undone by recover.ts from this record.
        await recordRun(ctx, plan);
        await hold();
        ctx.emit({ phase: 'green', state: 'start', message: `creating Deployment ${ns}/${greenName} (${green.image}, ${settings.replicas} replica(s))` });
        try {
          if (plan.secret) await createOrReplace(client, plan.secret);
          await createOrReplace(client, plan.deployment);
        } catch (error) {
          await removeGreen();
          throw error;
        }
      }
      started = true;
      return reach(green.id);
    },

    async running(id) {
      if (id === green.id && started) return reach(id);
      const d = await getOrNull<DeploymentStatusView>(client, resourcePath('apps/v1', 'Deployment', ns, deploymentName(green.app, id)));
      return d && (d.spec?.replicas ?? 0) > 0 ? reach(id) : null;
    },

    exitStatus: async () => null,

    async waitReady(release: RunningRelease, timing: HealthTiming, signal: AbortSignal): Promise<ReadyResult> {
      const since = ctx.clock.now();
      const ready = await waitDeploymentReady(client, ns, deploymentName(green.app, release.id), labels(release.id), { deadlineMs: timing.deadlineMs, intervalMs: timing.intervalMs, clock: ctx.clock, signal });
      const elapsedMs = Math.round(ctx.clock.now() - since);
      return { ok: ready.ok, detail: ready.detail, elapsedMs, exited: !ready.ok && ready.stuck, threshold: `all replicas ready within ${timing.deadlineMs} ms` };
    },

    switchTo: (release) => (release.id === green.id ? toGreen() : back()),

    async setWeight(release, percent) {
      if (!canary || !blueId) throw new Error(`no canary planned: Service ${service.name} does not select a release of ${green.app} to compare with`);
      if (percent >= 100) await toGreen();
      else await canary.step(percent);
      // Each step is judged on its own window: green and blue probed directly, while the route or the Service splits the users' traffic.
      await stopMeters();
      meter(release.id, (await reach(release.id)).url, 'canary', ctx.config.canary.intervalMs);
      meter(blueId, (await reach(blueId)).url, 'stable', ctx.config.canary.intervalMs);
    },

    async metrics(id, windowMs): Promise<UpstreamMetrics> {
      // After the switch the users reach green through the Service: it is measured there, from the first read on.
      const m = meters.get(id) ?? (id === green.id && switched ? meter(id, input.publicUrl, id, ctx.config.verify.windowMs) : null);
      return m ? m.snapshot() : noMetrics(id, windowMs);
    },

    // Kubernetes drains a pod's connections itself once the Service no longer selects it.
    drain: async () => undefined,

    async markLive(id, live) {
      if (live && id === green.id) await sendPatch(client, plan.markGreen).catch((e: unknown) => ctx.log(`label patch failed: ${String(e)}`));
    },

    /** After the delay for endpoint propagation, the release goes to 0 replicas; it stays for `deploy rollback`. */
    async retire(id) {
      const delay = settings.scaleDownDelayMs;
      if (delay > 0) {
        ctx.emit({ phase: 'retire', state: 'start', message: `scaling blue ${id} to 0 in ${Math.round(delay / 1000)} s` });
        await ctx.clock.sleep(delay, ctx.signal);
      }
      try {
        await scaleDown(id);
        await ctx.state.update((state) => ({ ...state, previous: state.previous?.release === id ? { ...state.previous, running: false } : state.previous }));
        ctx.emit({ phase: 'retire', state: 'ok', message: `blue ${id} scaled to 0 (kept for rollback)` });
      } catch (error) {
        ctx.emit({ phase: 'retire', state: 'warn', message: `blue ${id} could not be scaled down: ${(error as Error).message}` });
      }
    },

    async stop(id) {
      if (id === green.id) await removeGreen();
      else await scaleDown(id);
    },

    logTail: async () => [],

    servingAfterWithdrawal: (address) => servingAfterWithdrawal(client, service, plan.from, green.id, address),

    async close() {
      await stopMeters();
      await Promise.all([...tunnels.values()].map((t) => t.close()));
      tunnels.clear();
    },
  };
}
