import type { PostCheckResult } from '../../contracts/summary.js';
import type { DeployContext } from '../../orchestrator/types.js';
import { clearControl, markRunning, readControl } from '../../strategies/control-file.js';
import { type StepReport, describeStep, runStepGate } from '../../strategies/step-gate.js';
import { parseSmokeSpec } from '../../verify/smoke-spec.js';
import { canaryLabels, requiredSamples } from '../../verify/thresholds.js';
import { createOrReplace, deleteObject, sendPatch } from './apply.js';
import type { CanaryPlan } from './canary-plan.js';
import { ClientMetrics } from './client-metrics.js';
import type { FlowDeps } from './flow-deps.js';
import { releaseLabels } from './manifests.js';
import { waitDeploymentReady } from './wait-ready.js';
import { isReady, listPods } from './pods.js';
import type { DeploymentPlan } from './plan.js';
import type { Tunnel } from './tunnel.js';
import { requestTimeoutMs } from './verify.js';

export type CanaryResult = { ok: true; steps: StepReport[]; lastStep: number } | { ok: false; steps: StepReport[]; failed: PostCheckResult; restored: string; stuck: boolean };

/**
 * The canary steps (Gateway API weights or replica ratios, as planned in canary-plan.ts), each judged by the local
 * canary's step gate (src/strategies/step-gate.ts: green against blue in the same window, early failure on a clear
 * breach, `deploy promote` / `deploy abort`). Without our router the two sides are measured by our own probes
 * straight to a green pod and a blue pod, while the route or the Service splits the users' traffic.
 */
export async function runCanary(ctx: DeployContext, deps: FlowDeps, plan: DeploymentPlan, canary: CanaryPlan): Promise<CanaryResult> {
  const { config } = ctx;
  const steps: StepReport[] = [];
  const tunnels: Tunnel[] = [];
  let applied = -1;
  const fail = async (failed: PostCheckResult, afterStep: number): Promise<CanaryResult> => ({ ok: false, steps, failed, ...(await restore(ctx, deps, canary, afterStep)) });
  // `deploy promote` / `deploy abort` find the running canary through these files, as on the local platform.
  await clearControl(config.stateDir);
  try {
    for (const object of canary.create) await createOrReplace(deps.client, object);
    const paths = [...new Set(config.verify.smoke.map(parseSmokeSpec).filter((s) => s.method === 'GET').map((s) => s.path))];
    for (let i = 0; i < canary.percents.length; i++) {
      const percent = canary.percents[i]!;
      ctx.step(`traffic ${percent}%`);
      try {
        for (const patch of canary.steps[i]!) await sendPatch(deps.client, patch);
      } catch (error) {
        return fail({ name: `Canary ${percent}%: ${canary.kind === 'gateway' ? 'HTTPRoute weights' : 'replica ratio'}`, ok: false, value: (error as Error).message, threshold: `set to ${percent}%` }, i - 1);
      }
      applied = i;
      await markRunning(config.stateDir, { pid: process.pid, release: plan.release.id, stable: plan.blue?.release ?? '', percent, startedAt: new Date().toISOString() });
      ctx.emit({ phase: 'canary', state: 'start', message: `canary step ${i + 1}: ${canary.notes[i]}` });
      if (canary.kind === 'replicas') {
        // Green changed size: wait until the controller settled, so the pod we probe is one that stays.
        const ready = await waitDeploymentReady(deps.client, plan.release.settings.namespace, plan.deployment.metadata.name, releaseLabels(plan.release), { deadlineMs: config.health.timeoutMs, intervalMs: config.health.intervalMs, clock: ctx.clock, signal: ctx.signal });
        if (!ready.ok) return fail({ name: `Canary ${percent}%: Health`, ok: false, value: ready.detail, threshold: 'green ready at this size' }, i);
      }
      for (const t of tunnels.splice(0)) await t.close().catch(() => undefined);
      const green = await tunnelTo(deps, plan, releaseLabels(plan.release), tunnels);
      const blue = await tunnelTo(deps, plan, plan.from, tunnels);
      const pace = { requests: Math.ceil(requiredSamples(config.verify.minRequests) * 1.5), overMs: Math.max(1, config.canary.intervalMs * 0.8) };
      const subject = new ClientMetrics(green.url, paths, { requestTimeoutMs: requestTimeoutMs(ctx), label: 'canary', signal: ctx.signal, pace });
      const baseline = new ClientMetrics(blue.url, paths, { requestTimeoutMs: requestTimeoutMs(ctx), label: 'stable', signal: ctx.signal, pace });
      const step = await runStepGate({
        percent,
        read: async () => ({ subject: subject.snapshot(), baseline: baseline.snapshot() }),
        thresholds: { errorRate: config.verify.errorRate, p95Ms: config.verify.p95Ms, minRequests: config.verify.minRequests },
        labels: canaryLabels,
        intervalMs: config.canary.intervalMs,
        maxExtraMs: Math.max(config.canary.intervalMs, config.verify.windowMs),
        tickMs: Math.min(1_000, Math.max(50, Math.round(config.canary.intervalMs / 4))),
        probe: null,
        clock: ctx.clock,
        signal: ctx.signal,
        control: () => readControl(config.stateDir),
      }).finally(() => Promise.all([subject.stop(), baseline.stop()]));
      steps.push(step);
      ctx.emit({ phase: 'canary', state: step.ok ? 'ok' : 'fail', message: describeStep(step, canaryLabels) });
      if (!step.ok) {
        const failed = step.checks.find((c) => !c.ok) ?? { name: `Step ${percent}%`, ok: false, value: step.decided, threshold: 'passed' };
        return fail({ ...failed, name: `Canary ${percent}%: ${failed.name}` }, i);
      }
      if (step.decided === 'promote') return { ok: true, steps, lastStep: i };
    }
    return { ok: true, steps, lastStep: canary.percents.length - 1 };
  } catch (error) {
    return fail({ name: 'Canary', ok: false, value: (error as Error).message.split('\n')[0]!, threshold: 'completed' }, applied);
  } finally {
    for (const t of tunnels) await t.close().catch(() => undefined);
    await Promise.all([clearControl(config.stateDir), markRunning(config.stateDir, null)]).catch(() => undefined);
  }
}

/** Traffic back to blue alone (from where step `afterStep` left it) and the canary's own objects removed. */
export async function restore(ctx: DeployContext, deps: FlowDeps, canary: CanaryPlan, afterStep: number): Promise<{ restored: string; stuck: boolean }> {
  const what = canary.kind === 'gateway' ? 'the HTTPRoute back to the Service alone' : 'the Service back to blue alone';
  try {
    for (const patch of canary.restore(afterStep)) await sendPatch(deps.client, patch);
  } catch (error) {
    return { restored: `${what} FAILED (${(error as Error).message}): green still gets the share of step ${afterStep + 1}`, stuck: true };
  }
  await cleanup(ctx, deps, canary);
  return { restored: afterStep < 0 ? 'traffic was not split yet' : what, stuck: false };
}

export async function cleanup(ctx: DeployContext, deps: FlowDeps, canary: CanaryPlan): Promise<void> {
  for (const object of canary.create) await deleteObject(deps.client, object).catch((e: unknown) => ctx.log(`could not delete ${object.metadata.name}: ${String(e)}`));
}

/** Replica ratios: green back to full size and ready before the Service moves to it; if it cannot, the canary fails. */
export async function growGreen(ctx: DeployContext, deps: FlowDeps, plan: DeploymentPlan, result: CanaryResult & { ok: true }): Promise<CanaryResult> {
  const canary = plan.canary!;
  try {
    for (const patch of canary.beforeSwitch) await sendPatch(deps.client, patch);
    const ready = await waitDeploymentReady(deps.client, plan.release.settings.namespace, plan.deployment.metadata.name, releaseLabels(plan.release), { deadlineMs: ctx.config.health.timeoutMs, intervalMs: ctx.config.health.intervalMs, clock: ctx.clock, signal: ctx.signal });
    if (ready.ok) return result;
    return { ok: false, steps: result.steps, failed: { name: 'Health', ok: false, value: `green at full size: ${ready.detail}`, threshold: `ready within ${ctx.config.health.timeoutMs} ms` }, ...(await restore(ctx, deps, canary, result.lastStep)) };
  } catch (error) {
    return { ok: false, steps: result.steps, failed: { name: 'Canary', ok: false, value: (error as Error).message, threshold: 'green scaled up' }, ...(await restore(ctx, deps, canary, result.lastStep)) };
  }
}

/** Gateway: the route back to the Service alone (which now selects green), and the canary Service removed. */
export async function afterCanarySwitch(ctx: DeployContext, deps: FlowDeps, canary: CanaryPlan, lastStep: number): Promise<void> {
  try {
    for (const patch of canary.afterSwitch(lastStep)) await sendPatch(deps.client, patch);
    await cleanup(ctx, deps, canary);
    if (canary.kind === 'gateway') ctx.emit({ phase: 'canary', state: 'ok', message: 'HTTPRoute back to the Service alone (now green)' });
  } catch (error) {
    // The route still splits between two Services that both select green now: harmless, but say so.
    ctx.emit({ phase: 'canary', state: 'warn', message: `the HTTPRoute could not be restored (${(error as Error).message}); it still lists the canary Service` });
  }
}

async function tunnelTo(deps: FlowDeps, plan: DeploymentPlan, selector: Record<string, string>, tunnels: Tunnel[]): Promise<Tunnel> {
  const ns = plan.release.settings.namespace;
  const pod = (await listPods(deps.client, ns, selector)).find(isReady);
  if (!pod) throw new Error(`no ready pod matches ${Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',')}`);
  const tunnel = await deps.openTunnel({ namespace: ns, name: pod.metadata.name, ip: pod.status?.podIP ?? null, port: plan.release.settings.port });
  tunnels.push(tunnel);
  return tunnel;
}
