import type { PostCheckResult } from '../../contracts/summary.js';
import { ExitCode } from '../../errors.js';
import type { DeployContext, DeployOutcome } from '../../orchestrator/types.js';
import { runSmoke, smokeCheckResult } from '../../verify/smoke.js';
import { describeFailure } from '../../rollout/outcome.js';
import { KubeApiError, type KubeClient, patchPath, resourcePath } from './api.js';
import { createOrReplace, sendPatch } from './apply.js';
import type { FlowDeps } from './flow-deps.js';
import { LABELS, appLabel } from './names.js';
import type { PatchAction } from './patches.js';
import { isReady, listPods, stuckPod } from './pods.js';
import type { RolloutPlan } from './plan.js';
import { openTunnel } from './tunnel.js';
import { requestTimeoutMs, verifyThrough } from './verify.js';

const HASH_LABEL = 'rollouts-pod-template-hash';

interface RolloutView {
  spec?: { paused?: boolean };
  status?: {
    currentPodHash?: string;
    stableRS?: string;
    /** The controller writes the generation it acted on, as a string. */
    observedGeneration?: string | number;
    phase?: string;
    message?: string;
    abort?: boolean;
    pauseConditions?: Array<{ reason?: string }> | null;
    blueGreen?: { activeSelector?: string; previewSelector?: string };
  };
}

type Meta = { id: string; version: string; commit: string | null; contentHash: string | null };

/**
 * Argo Rollouts mode. The Rollout (blueGreen, autoPromotionEnabled: false) gets the release's template; the
 * controller brings the preview up behind `<service>-preview`. We wait for it (failing fast on stuck pods),
 * smoke it and verify it over the watch window through a tunnel to a preview pod, and then promote it with
 * the plugin's patches; a failure before that aborts it with the plugin's abort patch, so `activeService`
 * never moves. After promotion the public URL gets one more smoke test.
 */
export async function deployRollout(ctx: DeployContext, deps: FlowDeps, plan: RolloutPlan): Promise<DeployOutcome> {
  const { client } = deps;
  const { release } = plan;
  const ns = release.settings.namespace;
  const name = plan.rollout.metadata.name;
  const path = resourcePath('argoproj.io/v1alpha1', 'Rollout', ns, name);
  const meta: Meta = { id: release.id, version: release.image, commit: release.commit, contentHash: null };
  const before = await client.request<RolloutView>('GET', path).catch(() => null);
  const previous = before?.status?.stableRS ?? null;

  await ctx.journal?.phase('green-starting', { release: release.id });
  ctx.step('start');
  ctx.emit({ phase: 'green', state: 'start', message: `Rollout ${ns}/${name}: template of ${release.id} (${release.image})` });
  if (plan.secret) await createOrReplace(client, plan.secret);
  const applied = await createOrReplace(client, plan.rollout);

  const preview = await waitPreview(ctx, client, path, ns, String(applied.metadata?.generation ?? ''));
  const failEarly = async (check: PostCheckResult): Promise<DeployOutcome> => {
    const aborted = await patchWithFallback(client, plan.abort).then(() => 'aborted', (e: unknown) => `abort failed: ${(e as Error).message}`);
    return { status: 'failed', exitCode: ExitCode.rolledBack, release: meta, previousRelease: previous, post: [check], rollback: { performed: false, reason: describeFailure(check) }, message: `${describeFailure(check)}; the Rollout was ${aborted} before promotion, ${release.settings.service} still serves the stable ReplicaSet${previous ? ` ${previous}` : ''}`, verified: false };
  };
  if (!preview.ok) {
    ctx.emit({ phase: 'health', state: 'fail', message: `preview ${preview.detail}` });
    return failEarly({ name: 'Health', ok: false, value: preview.detail, threshold: `preview ready within ${ctx.config.health.timeoutMs} ms` });
  }
  ctx.emit({ phase: 'health', state: 'ok', message: `preview ${preview.detail}` });

  // Reach a preview pod (or, on the very first revision, which Argo promotes by itself, an active one).
  const pods = await listPods(client, ns, { [LABELS.app]: appLabel(release.app), [HASH_LABEL]: preview.hash });
  const pod = pods.find(isReady);
  if (!pod) return failEarly({ name: 'Smoke Tests (preview)', ok: false, value: 'no ready preview pod', threshold: 'all passing' });
  const target = { namespace: ns, name: pod.metadata.name, ip: pod.status?.podIP ?? null, port: release.settings.port };
  const tunnel = await openTunnel(async () => target, deps.forward);
  ctx.defer(() => tunnel.close());
  ctx.step('smoke');
  const smoke = smokeCheckResult(await runSmoke(tunnel.url, ctx.config.verify.smoke, { timeoutMs: requestTimeoutMs(ctx), signal: ctx.signal }), 'Smoke Tests (preview)');
  if (!smoke.ok) return failEarly(smoke);
  ctx.emit({ phase: 'smoke', state: 'ok', message: `preview smoke: ${smoke.value}` });

  await ctx.journal?.phase('verifying');
  ctx.step('verify');
  const verification = await verifyThrough(ctx, tunnel.url, release.id);
  if (!verification.ok) {
    const failed = verification.results.find((r) => !r.ok) ?? { name: 'Verification', ok: false, value: 'no result', threshold: 'passed' };
    ctx.emit({ phase: 'verify', state: 'fail', message: describeFailure(failed) });
    if (preview.active) return { status: 'failed', exitCode: ExitCode.rolledBack, release: meta, previousRelease: null, post: verification.results, rollback: { performed: false, reason: describeFailure(failed) }, message: `${describeFailure(failed)}; this first revision was promoted by Argo Rollouts itself and there is nothing to return to`, verified: false };
    return { ...(await failEarly(failed)), post: verification.results };
  }
  ctx.emit({ phase: 'verify', state: 'ok', message: 'preview verification passed' });

  // On the very first revision Argo Rollouts promotes by itself: the switch is its, not ours.
  ctx.step('switch');
  if (!preview.active) {
    await ctx.journal?.phase('switching');
    const current = await client.request<RolloutView>('GET', path);
    if (current.spec?.paused) await sendPatch(client, plan.promote.unpause);
    await patchWithFallback(client, plan.promote.clearPause, { ...(plan.promote.unpause.body as object), ...(plan.promote.clearPause.body as object) });
    const promoted = await waitActive(ctx, client, path, preview.hash);
    if (!promoted) {
      const message = `promoted ${name}, but ${release.settings.service} did not move to ${preview.hash} within ${ctx.config.health.timeoutMs} ms; check \`kubectl argo rollouts get rollout ${name} -n ${ns}\``;
      return { status: 'failed', exitCode: ExitCode.needsHuman, release: meta, previousRelease: previous, post: verification.results, rollback: { performed: false, reason: 'promotion not observed' }, message, verified: false };
    }
  }
  await ctx.state.update((state) => ({
    ...state,
    url: ctx.config.url || null,
    releases: [...state.releases.filter((r) => r.id !== release.id), { id: release.id, version: release.image, commit: release.commit, contentHash: null, createdAt: new Date().toISOString() }],
    active: { release: release.id, upstream: `rollout/${name}@${preview.hash}`, since: new Date().toISOString(), running: true },
    previous: state.active ? { ...state.active } : state.previous,
  }));
  ctx.emit({ phase: 'switch', state: 'ok', message: `${release.settings.service} → ${preview.hash} (promoted)` });

  if (ctx.config.url) {
    const after = smokeCheckResult(await runSmoke(ctx.config.url, ctx.config.verify.smoke, { timeoutMs: requestTimeoutMs(ctx) }), 'Smoke Tests (after promotion)');
    if (!after.ok) {
      const message = `${describeFailure(after)} through ${ctx.config.url} after promotion; the Rollout is complete and Argo keeps the old ReplicaSet for ${release.settings.scaleDownDelayMs / 1000}s: run \`kubectl argo rollouts undo ${name} -n ${ns}\``;
      return { status: 'failed', exitCode: ExitCode.needsHuman, release: meta, previousRelease: previous, post: [...verification.results, after], rollback: { performed: false, reason: describeFailure(after) }, message, verified: false };
    }
    verification.results.push(after);
  }
  return { status: 'success', release: meta, previousRelease: previous, post: verification.results, rollback: { performed: false, reason: null }, verified: true };
}

/** The plugin's order: the status subresource first; a 404 means the CRD has none (Rollouts v0.9), so patch the object. */
async function patchWithFallback(client: KubeClient, patch: PatchAction, unified: unknown = patch.body): Promise<void> {
  try {
    await sendPatch(client, patch);
  } catch (error) {
    if (!(error instanceof KubeApiError) || error.status !== 404 || !patch.subresource) throw error;
    await client.request('PATCH', patchPath({ ...patch, subresource: undefined }), unified, patch.type);
  }
}

type PreviewResult = { ok: true; hash: string; active: boolean; detail: string } | { ok: false; detail: string };

/** Until the controller reports the new pod hash paused for promotion (or, first revision, already active). */
async function waitPreview(ctx: DeployContext, client: KubeClient, path: string, ns: string, generation: string): Promise<PreviewResult> {
  const started = ctx.clock.now();
  let last = 'no status yet';
  for (;;) {
    const r = await client.request<RolloutView>('GET', path);
    const s = r.status ?? {};
    const hash = s.currentPodHash;
    // Until the controller has seen our template, the status still describes the previous one.
    if (hash && (!generation || String(s.observedGeneration ?? '') === generation)) {
      const pods = await listPods(client, ns, { [HASH_LABEL]: hash });
      const stuck = stuckPod(pods);
      if (stuck) return { ok: false, detail: stuck };
      if (s.phase === 'Degraded') return { ok: false, detail: `Rollout degraded: ${s.message ?? 'no message'}` };
      const ready = pods.filter(isReady).length;
      last = `${ready}/${pods.length} pods of ${hash} ready`;
      if (s.stableRS === hash && s.blueGreen?.activeSelector === hash) return { ok: true, hash, active: true, detail: `${last} (first revision, active)` };
      if (s.blueGreen?.previewSelector === hash && (s.pauseConditions ?? []).some((c) => c.reason === 'BlueGreenPause')) return { ok: true, hash, active: false, detail: `${last}, paused for promotion` };
    }
    const elapsed = ctx.clock.now() - started;
    if (elapsed >= ctx.config.health.timeoutMs) return { ok: false, detail: `not ready within ${ctx.config.health.timeoutMs} ms (${last})` };
    if (ctx.signal.aborted) return { ok: false, detail: `interrupted (${last})` };
    await ctx.clock.sleep(ctx.config.health.intervalMs, ctx.signal);
  }
}

async function waitActive(ctx: DeployContext, client: KubeClient, path: string, hash: string): Promise<boolean> {
  const started = ctx.clock.now();
  for (;;) {
    const r = await client.request<RolloutView>('GET', path);
    if (r.status?.blueGreen?.activeSelector === hash && r.status.stableRS === hash) return true;
    if (ctx.clock.now() - started >= ctx.config.health.timeoutMs || ctx.signal.aborted) return false;
    await ctx.clock.sleep(ctx.config.health.intervalMs, ctx.signal);
  }
}
