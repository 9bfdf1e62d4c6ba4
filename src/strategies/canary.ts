import type { PostCheckResult } from '../contracts/summary.js';
import type { DeployOutcome } from '../orchestrator/types.js';
import { deployBlueGreen, type BlueGreenInput } from '../platforms/local/blue-green/deploy-flow.js';
import { failedBeforeSwitch, releaseOf } from '../platforms/local/blue-green/outcome.js';
import type { RunningRelease } from '../platforms/local/blue-green/runner.js';
import { slotFor, withRelease } from '../platforms/local/blue-green/slots.js';
import { switchBack } from '../platforms/local/blue-green/switch-back.js';
import { flowTiming } from '../platforms/local/blue-green/timing.js';
import { waitReady } from '../platforms/local/blue-green/wait-ready.js';
import { canaryLabels } from '../verify/thresholds.js';
import { runSmoke, smokeCheckResult } from '../verify/smoke.js';
import { clearControl, markRunning, readControl } from './control-file.js';
import { describeStep, runStepGate, type StepReport } from './step-gate.js';

/** The canary outcome carries every step; the summary lists them under `steps`. */
export interface CanaryOutcome extends DeployOutcome {
  steps: StepReport[];
}

/**
 * Canary rollout: green starts beside the stable release, passes health and a direct smoke test, then takes a growing
 * share of traffic (sticky by cookie unless `canary.sticky: false`). Each step is judged against stable in the same
 * window. A failed step (or `deploy abort`) sends 100% back to stable at once, verifies it, and exits 1.
 * `deploy promote` skips the remaining steps. A first deploy has no stable release to compare with: blue-green.
 */
export async function deployCanary(input: BlueGreenInput): Promise<DeployOutcome> {
  const { ctx, router, runner, release } = input;
  const config = ctx.config;
  const timing = flowTiming(config, input.timing);
  const before = await ctx.state.read();
  const blue = before.active ? await runner.running(before.active.release).catch(() => null) : null;
  if (!blue || !before.active) {
    ctx.emit({ phase: 'canary', state: 'ok', message: 'no stable release runs to compare with: deploying blue-green' });
    return deployBlueGreen(input);
  }
  if (before.previous && before.previous.release !== blue.id && (await runner.running(before.previous.release).catch(() => null))) {
    await runner.stop(before.previous.release, timing.stopTimeoutMs);
  }

  ctx.emit({ phase: 'start', state: 'start', message: `starting canary ${release.id}` });
  const green = await runner.start(release);
  const ready = await waitReady(runner, green, timing.health, ctx.signal);
  if (!ready.ok) {
    ctx.emit({ phase: 'health', state: 'fail', message: `canary ${ready.detail}` });
    const tail = await runner.logTail(green.id, 20).catch(() => []);
    await runner.stop(green.id, timing.stopTimeoutMs);
    return failedBeforeSwitch(release, blue.id, { name: 'Health', ok: false, value: ready.detail, threshold: `${config.health.path} healthy within ${timing.health.deadlineMs} ms` }, tail);
  }
  const smoke = smokeCheckResult(await runSmoke(green.url, config.verify.smoke, { timeoutMs: timing.requestTimeoutMs, signal: ctx.signal }), 'Smoke Tests (canary)');
  if (!smoke.ok) {
    ctx.emit({ phase: 'smoke', state: 'fail', message: `canary smoke: ${smoke.value}` });
    const tail = await runner.logTail(green.id, 20).catch(() => []);
    await runner.stop(green.id, timing.stopTimeoutMs);
    return failedBeforeSwitch(release, blue.id, smoke, tail);
  }
  ctx.emit({ phase: 'smoke', state: 'ok', message: `canary smoke: ${smoke.value}` });

  const sticky = (config.canary as { sticky?: boolean }).sticky ?? true;
  const percents = config.canary.steps.map((fraction) => Math.round(fraction * 100));
  const paths = config.verify.smoke.filter((s) => s.method === 'GET').map((s) => s.path);
  const steps: StepReport[] = [];
  const post: PostCheckResult[] = [smoke];
  await clearControl(config.stateDir);
  ctx.defer(() => Promise.all([clearControl(config.stateDir), markRunning(config.stateDir, null)]).then(() => undefined));

  let promoted = false;
  for (const percent of percents) {
    try {
      await router.setWeights({ id: green.id, url: green.url }, percent, { sticky });
    } catch (error) {
      // The router refused or did not answer: treat it as a failed step, so traffic goes back to stable.
      const failed: StepReport = {
        percent, ok: false, decided: 'window', durationMs: 0, probes: 0,
        subject: { requests: 0, errors: 0, errorRate: 0, p95Ms: 0 }, baseline: null,
        checks: [{ name: 'Router weight', ok: false, value: error instanceof Error ? error.message : String(error), threshold: `set to ${percent}%` }],
      };
      steps.push(failed);
      return abort(input, green, blue, failed, steps, post);
    }
    await markRunning(config.stateDir, { pid: process.pid, release: green.id, stable: blue.id, percent, startedAt: new Date().toISOString() });
    ctx.emit({ phase: 'canary', state: 'start', message: `canary at ${percent}% (${sticky ? 'sticky' : 'per request'})` });
    const step = await runStepGate({
      percent,
      read: async (windowMs) => {
        const [subject, baseline] = await Promise.all([router.metrics(green.id, windowMs), router.metrics(blue.id, windowMs)]);
        return { subject, baseline };
      },
      thresholds: { errorRate: config.verify.errorRate, p95Ms: config.verify.p95Ms, minRequests: config.verify.minRequests },
      labels: canaryLabels,
      intervalMs: config.canary.intervalMs,
      maxExtraMs: Math.max(config.canary.intervalMs, config.verify.windowMs),
      onInconclusive: config.verify.onInconclusive,
      tickMs: Math.min(timing.tickMs, Math.max(50, Math.round(config.canary.intervalMs / 4))),
      probe: paths.length > 0 ? { url: input.publicUrl, paths, requestTimeoutMs: timing.requestTimeoutMs, concurrency: 2 } : null,
      clock: ctx.clock,
      signal: ctx.signal,
      control: () => readControl(config.stateDir),
    });
    steps.push(step);
    post.push(...step.checks.map((c) => ({ ...c, name: `Canary ${percent}%: ${c.name}` })));
    ctx.emit({ phase: 'canary', state: step.ok ? 'ok' : 'fail', message: describeStep(step, canaryLabels) });
    if (!step.ok) return abort(input, green, blue, step, steps, post);
    if (step.decided === 'promote') {
      promoted = true;
      break;
    }
  }
  return promote(input, green, blue, steps, post, promoted);
}

async function abort(input: BlueGreenInput, green: RunningRelease, blue: RunningRelease, step: StepReport, steps: StepReport[], post: PostCheckResult[]): Promise<CanaryOutcome> {
  const { ctx, runner } = input;
  const before = await ctx.state.read();
  const failed = step.checks.find((c) => !c.ok) ?? { name: `Canary ${step.percent}%`, ok: false, value: step.decided, threshold: 'passed' };
  const named = { ...failed, name: `Canary ${step.percent}%: ${failed.name}` };
  const tail = await runner.logTail(green.id, 20).catch(() => []);
  const outcome = await switchBack({
    ...input,
    green,
    blue,
    blueSlot: before.active!,
    previousSlot: before.previous,
    failed: named,
    post,
    logTail: tail,
    timing: flowTiming(ctx.config, input.timing),
  });
  return { ...outcome, steps };
}

async function promote(input: BlueGreenInput, green: RunningRelease, blue: RunningRelease, steps: StepReport[], post: PostCheckResult[], promoted: boolean): Promise<CanaryOutcome> {
  const { ctx, router, runner, release } = input;
  const config = ctx.config;
  const before = await ctx.state.read();
  await router.setActive({ id: green.id, url: green.url }, { drainTimeoutMs: config.drainTimeoutMs });
  await runner.setActive(green.id, true);
  await runner.setActive(blue.id, false);
  await ctx.state.update((state) => ({
    ...withRelease(state, release),
    url: config.url,
    active: slotFor(green),
    previous: before.active ? { ...before.active, running: true } : state.previous,
  }));
  ctx.emit({ phase: 'switch', state: 'ok', message: `canary ${green.id} promoted${promoted ? ' by the operator' : ''}: 100% of traffic (stable ${blue.id} kept warm)` });
  await runner.keepWarm(blue.id, config.keepWarmMs, config.drainTimeoutMs);
  await input.afterSuccess?.(green.id, blue.id).catch((error: unknown) => ctx.log(`after-success step failed: ${String(error)}`));
  return {
    status: 'success',
    release: releaseOf(release),
    previousRelease: blue.id,
    post,
    rollback: { performed: false, reason: null },
    verified: true,
    steps,
  };
}
