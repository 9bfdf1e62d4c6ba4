import type { PostCheckResult } from '../../contracts/summary.js';
import { ExitCode } from '../../errors.js';
import type { DeployContext, DeployOutcome } from '../../orchestrator/types.js';
import { runSmoke, smokeCheckResult } from '../../verify/smoke.js';
import { describeFailure, failedBeforeSwitch } from '../../rollout/outcome.js';
import { KubeApiError, type KubeClient } from './api.js';
import { createOrReplace, deleteObject, sendPatch } from './apply.js';
import { scalePatch } from './patches.js';
import { releaseLabels } from './manifests.js';
import { isReady, listPods } from './pods.js';
import type { StepReport } from '../../strategies/step-gate.js';
import { pruneReleases } from './prune.js';
import { recordRun } from './recover.js';
import { afterCanarySwitch, growGreen, restore, runCanary } from './canary-flow.js';
import type { DeploymentPlan } from './plan.js';
import { formatSelector, stateReport } from './state-report.js';
import type { FlowDeps } from './flow-deps.js';
import { requestTimeoutMs, verifyThrough } from './verify.js';
import { waitDeploymentReady } from './wait-ready.js';

export type { FlowDeps } from './flow-deps.js';

type Meta = { id: string; version: string; commit: string | null; contentHash: string | null };

/**
 * Blue-green with plain resources: green Deployment (+ its Secret), wait ready (failing fast on stuck pods), smoke
 * green through a tunnel, switch the Service selector with a `test`-guarded JSON patch, verify through the URL,
 * and on failure patch the selector back to blue (still scaled up) and verify again. Blue is retired only after
 * success and the scale-down delay.
 */
export async function deployPlain(ctx: DeployContext, deps: FlowDeps, plan: DeploymentPlan, options: { existing?: boolean } = {}): Promise<DeployOutcome> {
  const { client } = deps;
  const { config } = ctx;
  const release = plan.release;
  const meta: Meta = { id: release.id, version: release.image, commit: release.commit, contentHash: null };
  const blueId = plan.blue?.release ?? null;
  const ns = release.settings.namespace;
  const greenName = plan.deployment.metadata.name;

  // A killed run is undone by recover.ts from this record; a rollback target is not ours to delete.
  if (!options.existing) await recordRun(ctx, plan);
  await ctx.journal?.phase('green-starting', { release: release.id });
  ctx.step('start');
  const verb = options.existing ? 'scaling up' : 'creating';
  ctx.emit({ phase: 'green', state: 'start', message: `${verb} Deployment ${ns}/${greenName} (${release.image}, ${release.settings.replicas} replica(s))` });
  // A rollback target existed before the run and stays (scaled to 0); a new release is deleted with its Secret.
  const removed = options.existing ? 'scaled back to 0' : 'deleted';
  const removeGreen = async () => {
    if (options.existing) {
      await sendPatch(client, scalePatch({ name: greenName, namespace: ns }, 0, 'previous', 'discard')).catch((e: unknown) => ctx.log(`could not scale ${greenName} down: ${String(e)}`));
      return;
    }
    await deleteObject(client, plan.deployment).catch((e: unknown) => ctx.log(`could not delete ${greenName}: ${String(e)}`));
    if (plan.secret) await deleteObject(client, plan.secret).catch((e: unknown) => ctx.log(`could not delete ${plan.secret!.metadata.name}: ${String(e)}`));
  };
  const beforeSwitch = async (check: PostCheckResult): Promise<DeployOutcome> => {
    await removeGreen();
    return failedBeforeSwitch(meta, blueId, check, []);
  };

  try {
    if (options.existing) {
      await sendPatch(client, scalePatch({ name: greenName, namespace: ns }, release.settings.replicas, 'green', 'rollback target up'));
    } else {
      if (plan.secret) await createOrReplace(client, plan.secret);
      await createOrReplace(client, plan.deployment);
    }
  } catch (error) {
    await removeGreen();
    throw error;
  }
  await ctx.journal?.phase('green-started', { green: { id: release.id, pid: null, port: null } });

  const ready = await waitDeploymentReady(client, ns, greenName, releaseLabels(release), {
    deadlineMs: config.health.timeoutMs,
    intervalMs: config.health.intervalMs,
    clock: ctx.clock,
    signal: ctx.signal,
  });
  if (!ready.ok) {
    ctx.emit({ phase: 'health', state: 'fail', message: `green ${ready.detail}` });
    return beforeSwitch({ name: 'Health', ok: false, value: ready.detail, threshold: `all replicas ready within ${config.health.timeoutMs} ms` });
  }
  ctx.emit({ phase: 'health', state: 'ok', message: `green ${ready.detail}` });

  ctx.step('smoke');
  const smoke = await smokeGreen(ctx, deps, plan);
  if (!smoke.ok) {
    ctx.emit({ phase: 'smoke', state: 'fail', message: `green smoke: ${smoke.value}` });
    return beforeSwitch(smoke);
  }
  ctx.emit({ phase: 'smoke', state: 'ok', message: `green smoke: ${smoke.value}` });

  let steps: StepReport[] | undefined;
  let canaryPost: PostCheckResult[] = [];
  let canaryLast = -1;
  if (plan.canary) {
    if (plan.canary.kind === 'replicas') ctx.emit({ phase: 'canary', state: 'warn', message: 'no kubernetes.gateway.route: the split follows replica ratios and only approximates each step\'s percentage' });
    let result = await runCanary(ctx, deps, plan, plan.canary);
    if (result.ok && plan.canary.beforeSwitch.length > 0) result = await growGreen(ctx, deps, plan, result);
    steps = result.steps;
    canaryPost = result.steps.flatMap((st) => st.checks.map((c) => ({ ...c, name: `Canary ${st.percent}%: ${c.name}` })));
    if (!result.ok) {
      const stuck = result.stuck;
      // A route that still sends a share to green must keep green running.
      if (!stuck) await removeGreen();
      const reason = describeFailure(result.failed);
      ctx.emit({ phase: 'canary', state: 'fail', message: `${reason}; ${result.restored}` });
      return { status: stuck ? 'failed' : 'rolled_back', exitCode: stuck ? ExitCode.needsHuman : ExitCode.rolledBack, release: meta, previousRelease: blueId, post: [smoke, ...canaryPost, ...(canaryPost.some((c) => !c.ok) ? [] : [result.failed])], rollback: { performed: true, reason, verified: !stuck }, message: `${reason}; ${result.restored}${stuck ? '' : `; green ${release.id} was ${removed}`}`, steps, verified: false };
    }
    canaryLast = result.lastStep;
  }

  await ctx.journal?.phase('switching');
  ctx.step('switch');
  try {
    await sendPatch(client, plan.switchTo);
  } catch (error) {
    if (error instanceof KubeApiError && (error.status === 422 || error.status === 409)) {
      // The test op failed: someone else moved the Service since we read it. Their change stands; ours is withdrawn.
      if (plan.canary) await restore(ctx, deps, plan.canary, canaryLast);
      await removeGreen();
      const message = `the Service ${ns}/${plan.service.name} selector changed during the deploy (expected ${formatSelector(plan.from)}); nothing was switched, green ${release.id} was ${removed} and traffic stays where the other change put it`;
      ctx.emit({ phase: 'switch', state: 'fail', message });
      return { status: 'failed', exitCode: ExitCode.rolledBack, release: meta, previousRelease: blueId, post: [{ name: 'Switch', ok: false, value: 'selector changed by someone else', threshold: `selector still ${formatSelector(plan.from)}` }], rollback: { performed: false, reason: 'concurrent change of the Service selector' }, message, verified: false };
    }
    return uncertain(ctx, deps, plan, meta, 'switch', error, `last known: the selector was ${formatSelector(plan.from)} when the switch patch was sent; whether it applied is unknown`);
  }
  await ctx.journal?.phase('switched');
  await ctx.state.update((state) => ({
    ...state,
    url: config.url || null,
    releases: [...state.releases.filter((r) => r.id !== release.id), { id: release.id, version: release.image, commit: release.commit, contentHash: null, createdAt: new Date().toISOString() }],
    active: { release: release.id, upstream: `deployment/${greenName}`, since: new Date().toISOString(), running: true },
    previous: blueId ? { release: blueId, upstream: `deployment/${plan.blue!.name}`, since: state.active?.since ?? new Date().toISOString(), running: true } : state.previous,
  }));
  ctx.emit({ phase: 'switch', state: 'ok', message: `Service ${plan.service.name} → ${formatSelector(plan.to)}${blueId ? ` (blue ${blueId} still scaled up)` : ''}` });
  if (plan.canary) await afterCanarySwitch(ctx, deps, plan.canary, canaryLast);

  await ctx.journal?.phase('verifying');
  ctx.step('verify');
  const verification = await verifyThrough(ctx, await publicUrl(ctx, deps, plan), release.id);
  if (verification.ok) {
    ctx.emit({ phase: 'verify', state: 'ok', message: 'post-deployment verification passed' });
    ctx.step('retire');
    await sendPatch(client, plan.markGreen).catch((e: unknown) => ctx.log(`label patch failed: ${String(e)}`));
    if (plan.retireBlue) await retireBlue(ctx, deps, plan);
    await pruneReleases(ctx, deps, [release.id, ...(blueId ? [blueId] : [])]).then(
      (pruned) => pruned.length > 0 && ctx.log(`pruned releases: ${pruned.join(', ')}`),
      (e: unknown) => ctx.log(`pruning old releases failed: ${String(e)}`),
    );
    return { status: 'success', release: meta, previousRelease: blueId, post: [...canaryPost, ...verification.results], rollback: { performed: false, reason: null }, verified: true, ...(steps ? { steps } : {}) };
  }

  const failed = verification.results.find((r) => !r.ok) ?? { name: 'Verification', ok: false, value: ctx.signal.aborted ? 'interrupted' : 'no result', threshold: 'passed' };
  ctx.emit({ phase: 'verify', state: 'fail', message: describeFailure(failed) });
  await ctx.journal?.phase('rolling-back');
  ctx.step('switch-back');
  try {
    await sendPatch(client, plan.switchBack);
  } catch (error) {
    return uncertain(ctx, deps, plan, meta, 'switch back', error, `last known: the selector was ${formatSelector(plan.to)} (green) when the switch-back patch was sent`, verification.results);
  }
  await ctx.state.update((state) => ({ ...state, active: state.previous && blueId ? { ...state.previous } : null, previous: null }));
  ctx.emit({ phase: 'rollback', state: 'ok', message: `Service ${plan.service.name} → ${formatSelector(plan.from)} again` });
  const again = await smokeAfterRollback(ctx, deps, plan);
  await removeGreen();
  const reason = describeFailure(failed);
  const post = [...verification.results, ...(again ? [again] : [])];
  if (again && !again.ok) {
    const report = await stateReport(client, plan, '');
    return { status: 'failed', exitCode: ExitCode.needsHuman, release: meta, previousRelease: blueId, post, rollback: { performed: true, reason, verified: false }, message: `${reason}; switched back, but ${again.value} after the rollback. ${report}`, verified: false };
  }
  return { status: 'rolled_back', exitCode: ExitCode.rolledBack, release: meta, previousRelease: blueId, post, rollback: { performed: true, reason, verified: again?.ok ?? false }, message: `${reason}; traffic is back on ${blueId ?? formatSelector(plan.from)}, green ${release.id} was ${removed}`, verified: false };
}

/** Through `url`; without it, through a tunnel to a pod the restored selector picks. Null when none is ready. */
async function smokeAfterRollback(ctx: DeployContext, deps: FlowDeps, plan: DeploymentPlan): Promise<PostCheckResult | null> {
  const name = 'Smoke Tests (after rollback)';
  const run = async (url: string) => smokeCheckResult(await runSmoke(url, ctx.config.verify.smoke, { timeoutMs: requestTimeoutMs(ctx) }), name);
  if (ctx.config.url) return run(ctx.config.url);
  const pod = (await listPods(deps.client, plan.service.namespace, plan.from).catch(() => [])).find(isReady);
  if (!pod) return null;
  const tunnel = await deps.openTunnel({ namespace: plan.service.namespace, name: pod.metadata.name, ip: pod.status?.podIP ?? null, port: plan.release.settings.port });
  try {
    return await run(tunnel.url);
  } finally {
    await tunnel.close();
  }
}

/** Smoke tests against one ready green pod, before any traffic reaches it. */
async function smokeGreen(ctx: DeployContext, deps: FlowDeps, plan: DeploymentPlan): Promise<PostCheckResult> {
  const pods = await listPods(deps.client, plan.release.settings.namespace, releaseLabels(plan.release));
  const pod = pods.find(isReady);
  if (!pod) return { name: 'Smoke Tests (green)', ok: false, value: 'no ready pod to reach', threshold: 'all passing' };
  const tunnel = await deps.openTunnel({ namespace: plan.release.settings.namespace, name: pod.metadata.name, ip: pod.status?.podIP ?? null, port: plan.release.settings.port });
  try {
    return smokeCheckResult(await runSmoke(tunnel.url, ctx.config.verify.smoke, { timeoutMs: requestTimeoutMs(ctx), signal: ctx.signal }), 'Smoke Tests (green)');
  } finally {
    await tunnel.close();
  }
}

/** `url` when configured; otherwise a tunnel to one of green's pods, closed when the run ends. */
async function publicUrl(ctx: DeployContext, deps: FlowDeps, plan: DeploymentPlan): Promise<string> {
  if (ctx.config.url) return ctx.config.url;
  const pods = await listPods(deps.client, plan.release.settings.namespace, releaseLabels(plan.release));
  const pod = pods.find(isReady) ?? pods[0];
  if (!pod) return 'http://127.0.0.1:9';
  const tunnel = await deps.openTunnel({ namespace: plan.release.settings.namespace, name: pod.metadata.name, ip: pod.status?.podIP ?? null, port: plan.release.settings.port });
  ctx.defer(() => tunnel.close());
  return tunnel.url;
}

/** After the delay for endpoint propagation, blue goes to 0 replicas; it stays for `deploy rollback`. */
async function retireBlue(ctx: DeployContext, deps: FlowDeps, plan: DeploymentPlan): Promise<void> {
  const delay = plan.release.settings.scaleDownDelayMs;
  if (delay > 0) {
    ctx.emit({ phase: 'retire', state: 'start', message: `scaling blue ${plan.blue!.release} to 0 in ${Math.round(delay / 1000)} s` });
    await ctx.clock.sleep(delay, ctx.signal);
  }
  try {
    await sendPatch(deps.client, plan.retireBlue!);
    await ctx.state.update((state) => ({ ...state, previous: state.previous ? { ...state.previous, running: false } : null }));
    ctx.emit({ phase: 'retire', state: 'ok', message: `blue ${plan.blue!.release} scaled to 0 (kept for rollback)` });
  } catch (error) {
    ctx.emit({ phase: 'retire', state: 'warn', message: `blue ${plan.blue!.release} could not be scaled down: ${(error as Error).message}` });
  }
}

/** A patch on the traffic path failed without a clear answer: exit 4 with where everything points now. */
async function uncertain(ctx: DeployContext, deps: FlowDeps, plan: DeploymentPlan, meta: Meta, step: string, error: unknown, lastKnown: string, post: PostCheckResult[] = []): Promise<DeployOutcome> {
  const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
  const report = await stateReport(deps.client, plan, lastKnown);
  const message = `the ${step} patch failed (${reason}); state: ${report}. Green ${plan.release.id} was left as it is; check and fix by hand, or run \`deploy status ${ctx.config.environment}\``;
  ctx.emit({ phase: step === 'switch' ? 'switch' : 'rollback', state: 'fail', message });
  return {
    status: 'failed',
    exitCode: ExitCode.needsHuman,
    release: meta,
    previousRelease: plan.blue?.release ?? null,
    post: [...post, { name: step === 'switch' ? 'Switch' : 'Rollback', ok: false, value: reason, threshold: 'Service patched' }],
    rollback: { performed: false, reason: `${step} failed: ${reason}` },
    message,
    verified: false,
  };
}
