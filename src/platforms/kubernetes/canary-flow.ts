import type { PostCheckResult } from '../../contracts/summary.js';
import type { DeployContext } from '../../orchestrator/types.js';
import { readControl } from '../../strategies/control-file.js';
import { type StepReport, describeStep, runStepGate } from '../../strategies/step-gate.js';
import { parseSmokeSpec } from '../../verify/smoke-spec.js';
import { canaryLabels } from '../../verify/thresholds.js';
import { createOrReplace, deleteObject, sendPatch } from './apply.js';
import type { GatewayCanaryPlan } from './canary-plan.js';
import { ClientMetrics } from './client-metrics.js';
import type { FlowDeps } from './deploy-flow.js';
import { LABELS, appLabel } from './names.js';
import { isReady, listPods } from './pods.js';
import type { DeploymentPlan } from './plan.js';
import type { Tunnel } from './tunnel.js';
import { requestTimeoutMs } from './verify.js';

export type CanaryResult = { ok: true; steps: StepReport[]; lastStep: number } | { ok: false; steps: StepReport[]; failed: PostCheckResult; restored: string };

/**
 * The Gateway API canary: a Service for green, then the HTTPRoute's backendRefs weights step by step, each step
 * judged by the local canary's step gate (src/strategies/step-gate.ts: green against blue in the same window, early
 * failure on a clear breach, `deploy promote` / `deploy abort`). Without our router the two sides are measured by
 * our own probes straight to a green pod and a blue pod; the route splits the users' traffic meanwhile.
 */
export async function runGatewayCanary(ctx: DeployContext, deps: FlowDeps, plan: DeploymentPlan, canary: GatewayCanaryPlan): Promise<CanaryResult> {
  const { config } = ctx;
  const steps: StepReport[] = [];
  const tunnels: Tunnel[] = [];
  let applied = -1;
  try {
    await createOrReplace(deps.client, canary.canaryService);
    const green = await tunnelTo(deps, plan, { [LABELS.app]: appLabel(plan.release.app), [LABELS.release]: plan.release.id }, tunnels);
    const blue = await tunnelTo(deps, plan, plan.from, tunnels);
    const paths = [...new Set(config.verify.smoke.map(parseSmokeSpec).filter((s) => s.method === 'GET').map((s) => s.path))];
    for (let i = 0; i < canary.percents.length; i++) {
      const percent = canary.percents[i]!;
      try {
        await sendPatch(deps.client, canary.steps[i]!);
      } catch (error) {
        const failed = { name: `Canary ${percent}%: HTTPRoute weights`, ok: false, value: (error as Error).message, threshold: `set to ${percent}%` };
        return { ok: false, steps, failed, restored: await restore(ctx, deps, canary, i - 1) };
      }
      applied = i;
      ctx.emit({ phase: 'canary', state: 'start', message: `canary at ${percent}% through HTTPRoute ${canary.route.name}` });
      const subject = new ClientMetrics(green.url, paths, { requestTimeoutMs: requestTimeoutMs(ctx), label: 'canary', signal: ctx.signal });
      const baseline = new ClientMetrics(blue.url, paths, { requestTimeoutMs: requestTimeoutMs(ctx), label: 'stable', signal: ctx.signal });
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
        return { ok: false, steps, failed: { ...failed, name: `Canary ${percent}%: ${failed.name}` }, restored: await restore(ctx, deps, canary, i) };
      }
      if (step.decided === 'promote') return { ok: true, steps, lastStep: i };
    }
    return { ok: true, steps, lastStep: canary.percents.length - 1 };
  } catch (error) {
    const failed = { name: 'Canary', ok: false, value: (error as Error).message.split('\n')[0]!, threshold: 'completed' };
    return { ok: false, steps, failed, restored: await restore(ctx, deps, canary, applied) };
  } finally {
    for (const t of tunnels) await t.close().catch(() => undefined);
  }
}

/** The route back to the Service alone (from the weights of `afterStep`), and the canary Service removed. */
export async function restore(ctx: DeployContext, deps: FlowDeps, canary: GatewayCanaryPlan, afterStep: number): Promise<string> {
  let result = `HTTPRoute ${canary.route.name} back to the Service alone`;
  if (afterStep >= 0) {
    try {
      await sendPatch(deps.client, canary.restore(afterStep));
    } catch (error) {
      result = `HTTPRoute ${canary.route.name} could NOT be restored (${(error as Error).message}); it still sends ${canary.percents[afterStep]}% to ${canary.canaryService.metadata.name}`;
    }
  }
  await deleteObject(deps.client, canary.canaryService).catch((e: unknown) => ctx.log(`could not delete ${canary.canaryService.metadata.name}: ${String(e)}`));
  return result;
}

async function tunnelTo(deps: FlowDeps, plan: DeploymentPlan, selector: Record<string, string>, tunnels: Tunnel[]): Promise<Tunnel> {
  const ns = plan.release.settings.namespace;
  const pod = (await listPods(deps.client, ns, selector)).find(isReady);
  if (!pod) throw new Error(`no ready pod matches ${Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',')}`);
  const tunnel = await deps.openTunnel({ namespace: ns, name: pod.metadata.name, ip: pod.status?.podIP ?? null, port: plan.release.settings.port });
  tunnels.push(tunnel);
  return tunnel;
}
