import type { DeployContext } from '../../orchestrator/types.js';
import type { HealthTiming, ReadyResult, ReleaseMeta, RunningRelease } from '../../rollout/target.js';
import { TrafficError } from '../../rollout/traffic-error.js';
import type { VerifyFirstTarget } from '../../rollout/verify-first.js';
import { type KubeClient, resourcePath } from './api.js';
import { createOrReplace, sendPatch } from './apply.js';
import { HASH_LABEL, type RolloutView, patchWithFallback, waitPreview, waitPromoted } from './argo-status.js';
import type { ClientMetrics } from './client-metrics.js';
import { type EngineRun, engineTiming, releaseMeta } from './engine-run.js';
import { LABELS, appLabel } from './names.js';
import type { RolloutPlan } from './plan.js';
import { readyPod } from './pods.js';
import { type Forward, type Tunnel, openTunnel } from './tunnel.js';
import { noMetrics, probeMeter } from './verify.js';

/**
 * Argo Rollouts mode as a target of the engine's verify-first form (src/rollout/verify-first.ts): going back after a
 * promotion is `kubectl argo rollouts undo`, a new revision, so the preview is verified before it. Starting is
 * applying the Secret and the Rollout's new template (blueGreen, autoPromotionEnabled: false); ready is the
 * controller paused for promotion with the preview ReplicaSet up (a stuck pod fails at once); the preview is reached
 * through a tunnel to one of its ready pods, and measured by our own probes; the switch is the kubectl plugin's
 * promotion; stopping the candidate is its abort. The very first revision the controller makes active by itself.
 */
export function argoTarget(ctx: DeployContext, client: KubeClient, forward: Forward, plan: RolloutPlan): VerifyFirstTarget & { close(): Promise<void> } {
  const { release: candidate } = plan;
  const settings = candidate.settings;
  const ns = settings.namespace;
  const name = plan.rollout.metadata.name;
  const path = resourcePath('argoproj.io/v1alpha1', 'Rollout', ns, name);
  const tunnels = new Map<string, Tunnel>();
  let meter: ClientMetrics | null = null;
  let generation: string | null = null;
  let preview: { hash: string; active: boolean } | null = null;
  let stable: string | null = null;
  let abortFailed: string | null = null;

  // The candidate's pods are its preview ReplicaSet's, known once the controller saw the template.
  const app = { [LABELS.app]: appLabel(candidate.app) };
  const podsOf = (id: string): Record<string, string> | null => (id !== candidate.id ? { ...app, [LABELS.release]: id } : preview ? { ...app, [HASH_LABEL]: preview.hash } : null);
  const reach = async (id: string): Promise<RunningRelease> => {
    let tunnel = tunnels.get(id);
    if (!tunnel) {
      tunnel = await openTunnel(async () => {
        const selector = podsOf(id);
        return selector ? readyPod(client, ns, selector, settings.port) : null;
      }, forward);
      tunnels.set(id, tunnel);
    }
    // A getter: the state records the ReplicaSet's hash, which the controller names after `start` returned.
    return { id, url: tunnel.url, get upstream() { return `rollout/${name}${id === candidate.id && preview ? `@${preview.hash}` : ''}`; } };
  };
  const stopMeter = async () => {
    await meter?.stop();
    meter = null;
  };
  const timing = (deadlineMs: number, intervalMs: number, signal = ctx.signal) => ({ deadlineMs, intervalMs, clock: ctx.clock, signal });

  /** The plugin's promotion: `spec.paused` cleared only when a user set it, then the pause conditions; then the controller's move. */
  const promote = async (hash: string): Promise<void> => {
    const notMoved = (reason: string, message: string) =>
      new TrafficError('unknown', message, { name: 'Switch', ok: false, value: reason, threshold: `${settings.service} on ${hash} within ${ctx.config.health.timeoutMs} ms` }, reason);
    try {
      const current = await client.request<RolloutView>('GET', path);
      if (current.spec?.paused) await sendPatch(client, plan.promote.unpause);
      await patchWithFallback(client, plan.promote.clearPause, { ...(plan.promote.unpause.body as object), ...(plan.promote.clearPause.body as object) });
    } catch (error) {
      const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
      throw notMoved(`promotion failed: ${reason}`, `promoting ${name} failed (${reason}); whether ${settings.service} moved to ${hash} is unknown: check \`kubectl argo rollouts get rollout ${name} -n ${ns}\``);
    }
    if (!(await waitPromoted(client, path, hash, timing(ctx.config.health.timeoutMs, ctx.config.health.intervalMs)))) {
      throw notMoved('promotion not observed', `promoted ${name}, but ${settings.service} did not move to ${hash} within ${ctx.config.health.timeoutMs} ms; check \`kubectl argo rollouts get rollout ${name} -n ${ns}\``);
    }
  };

  return {
    capabilities: { weights: false, metrics: 'probes', undo: 'redeploy' },

    async start(release: ReleaseMeta): Promise<RunningRelease> {
      if (release.id !== candidate.id) throw new Error(`the plan is for release ${candidate.id}, not ${release.id}`);
      stable = (await client.request<RolloutView>('GET', path).catch(() => null))?.status?.stableRS ?? null;
      ctx.emit({ phase: 'green', state: 'start', message: `Rollout ${ns}/${name}: template of ${candidate.id} (${candidate.image})` });
      if (plan.secret) await createOrReplace(client, plan.secret);
      generation = String((await createOrReplace(client, plan.rollout)).metadata?.generation ?? '');
      return reach(candidate.id);
    },

    async running(id) {
      if (id === candidate.id) return generation === null ? null : reach(id);
      return (await readyPod(client, ns, podsOf(id)!, settings.port)) ? reach(id) : null;
    },

    exitStatus: async () => null,

    async waitReady(_release, health: HealthTiming, signal: AbortSignal): Promise<ReadyResult> {
      const since = ctx.clock.now();
      const ready = await waitPreview(client, path, ns, generation ?? '', timing(health.deadlineMs, health.intervalMs, signal));
      if (ready.ok) preview = { hash: ready.hash, active: ready.active };
      return { ok: ready.ok, detail: ready.detail, elapsedMs: Math.round(ctx.clock.now() - since), exited: !ready.ok && ready.stuck, threshold: `preview ready within ${health.deadlineMs} ms` };
    },

    async switchTo(release) {
      if (release.id !== candidate.id || !preview) throw new Error(`Argo Rollouts mode switches only to its verified preview, not to ${release.id}`);
      await stopMeter();
      if (preview.active) return `${settings.service} → ${preview.hash} (the first revision: Argo Rollouts made it active itself)`;
      await promote(preview.hash);
      return `${settings.service} → ${preview.hash} (promoted)`;
    },

    setWeight: async () => {
      throw new Error('Argo Rollouts mode has no traffic weights: the Rollout is blue-green');
    },

    async metrics(id, windowMs) {
      if (id !== candidate.id) return noMetrics(id, windowMs);
      meter ??= probeMeter(ctx, (await reach(id)).url, id, ctx.config.verify.windowMs);
      return meter.snapshot();
    },

    // The controller drains the old ReplicaSet, and scales it down after scaleDownDelaySeconds.
    drain: async () => undefined,
    markLive: async () => undefined,
    async retire(id) {
      ctx.emit({ phase: 'retire', state: 'ok', message: `Argo Rollouts scales ${id}${stable ? ` (ReplicaSet ${stable})` : ''} down after ${Math.round(settings.scaleDownDelayMs / 1000)} s` });
    },

    /** The candidate before promotion: the plugin's abort (a first revision is active already: nothing to abort). */
    async stop(id) {
      if (id !== candidate.id) return;
      await stopMeter();
      if (preview?.active) return;
      abortFailed = await patchWithFallback(client, plan.abort).then(
        () => null,
        (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0]!,
      );
    },

    withdrawn: () =>
      preview?.active
        ? 'this first revision was made active by Argo Rollouts itself and there is nothing to return to'
        : `the Rollout was ${abortFailed ? `not aborted (${abortFailed}), it stays paused` : 'aborted'} before promotion, ${settings.service} still serves the stable ReplicaSet${stable ? ` ${stable}` : ''}`,

    undo: () => `the Rollout is complete and Argo keeps the old ReplicaSet for ${settings.scaleDownDelayMs / 1000}s: run \`kubectl argo rollouts undo ${name} -n ${ns}\``,

    logTail: async () => [],

    async close() {
      await stopMeter();
      await Promise.all([...tunnels.values()].map((t) => t.close()));
      tunnels.clear();
    },
  };
}

/** The Rollout plan as the engine's run; the users' address is `url` when set (it gets a smoke test after the promotion). */
export function argoRun(ctx: DeployContext, client: KubeClient, forward: Forward, plan: RolloutPlan): EngineRun {
  const target = argoTarget(ctx, client, forward, plan);
  ctx.defer(() => target.close());
  return { ctx, target, release: releaseMeta(plan.release), publicUrl: ctx.config.url, timing: engineTiming(ctx) };
}
