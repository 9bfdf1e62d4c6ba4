import type { PostCheckResult } from '../contracts/summary.js';
import type { DeployOutcome } from '../orchestrator/types.js';
import { clearControl, markRunning, readControl } from '../strategies/control-file.js';
import { describeStep, runStepGate, type StepReport } from '../strategies/step-gate.js';
import { canaryLabels } from '../verify/thresholds.js';
import { deployBlueGreen, startGreen, switchFailed } from './blue-green.js';
import { TrafficError } from './traffic-error.js';
import { releaseOf } from './outcome.js';
import type { RunningRelease } from './target.js';
import { switchBack } from './switch-back.js';
import { recordSwitch } from './switched.js';
import { startingPoint } from './live.js';
import { flowTiming } from './timing.js';
import type { RolloutInput } from './types.js';

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
export async function deployCanary(input: RolloutInput): Promise<DeployOutcome> {
  const { ctx, target, release } = input;
  const config = ctx.config;
  const { before, live: blue, timing } = await startingPoint(ctx, target, input.timing);
  if (!blue || !before.active) {
    ctx.emit({ phase: 'canary', state: 'ok', message: 'no stable release runs to compare with: deploying blue-green' });
    return deployBlueGreen(input);
  }
  if (before.previous && before.previous.release !== blue.id && (await target.running(before.previous.release).catch(() => null))) {
    await target.stop(before.previous.release, timing.stopTimeoutMs);
  }

  ctx.emit({ phase: 'start', state: 'start', message: `starting canary ${release.id}` });
  await ctx.journal?.phase('green-starting', { release: release.id });
  const started = await startGreen(input, timing, blue.id, 'canary');
  if ('outcome' in started) return started.outcome;
  const green = started.green;
  const smoke = started.smoke;

  const sticky = (config.canary as { sticky?: boolean }).sticky ?? true;
  const percents = config.canary.steps.map((fraction) => Math.round(fraction * 100));
  // A target that measures with its own probes needs none from the engine.
  const paths = target.capabilities.metrics === 'probes' ? [] : config.verify.smoke.filter((s) => s.method === 'GET').map((s) => s.path);
  const steps: StepReport[] = [];
  const post: PostCheckResult[] = [smoke];
  await clearControl(config.stateDir);
  ctx.defer(() => Promise.all([clearControl(config.stateDir), markRunning(config.stateDir, null)]).then(() => undefined));

  let promoted = false;
  await ctx.journal?.phase('switching', { switched: { to: green.id, from: blue.id } });
  for (const percent of percents) {
    ctx.step(`traffic ${percent}%`);
    try {
      await target.setWeight(green, percent, sticky);
    } catch (error) {
      // The router refused or did not answer: treat it as a failed step, so traffic goes back to stable.
      const failed: StepReport = {
        percent, ok: false, decided: 'window', durationMs: 0, probes: 0,
        subject: { requests: 0, errors: 0, errorRate: 0, p95Ms: 0 }, baseline: null,
        checks: [error instanceof TrafficError ? error.check : { name: 'Router weight', ok: false, value: error instanceof Error ? error.message : String(error), threshold: `set to ${percent}%` }],
      };
      steps.push(failed);
      return abort(input, green, blue, failed, steps, post);
    }
    await markRunning(config.stateDir, { pid: process.pid, release: green.id, stable: blue.id, percent, startedAt: new Date().toISOString() });
    const split = target.capabilities.weights === 'approximate' ? 'approximate split' : sticky ? 'sticky' : 'per request';
    ctx.emit({ phase: 'canary', state: 'start', message: `canary at ${percent}% (${split})` });
    const step = await runStepGate({
      percent,
      read: async (windowMs) => {
        const [subject, baseline] = await Promise.all([target.metrics(green.id, windowMs), target.metrics(blue.id, windowMs)]);
        return { subject, baseline };
      },
      thresholds: { errorRate: config.verify.errorRate, p95Ms: config.verify.p95Ms, minRequests: config.verify.minRequests },
      labels: canaryLabels,
      intervalMs: config.canary.intervalMs,
      maxExtraMs: Math.max(config.canary.intervalMs, config.verify.extendMs),
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

async function abort(input: RolloutInput, green: RunningRelease, blue: RunningRelease, step: StepReport, steps: StepReport[], post: PostCheckResult[]): Promise<CanaryOutcome> {
  const { ctx, target } = input;
  const before = await ctx.state.read();
  const failed = step.checks.find((c) => !c.ok) ?? { name: `Canary ${step.percent}%`, ok: false, value: step.decided, threshold: 'passed' };
  const named = { ...failed, name: `Canary ${step.percent}%: ${failed.name}` };
  const tail = await target.logTail(green.id, 20).catch(() => []);
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

async function promote(input: RolloutInput, green: RunningRelease, blue: RunningRelease, steps: StepReport[], post: PostCheckResult[], promoted: boolean): Promise<CanaryOutcome> {
  const { ctx, target, release } = input;
  const config = ctx.config;
  const before = await ctx.state.read();
  try {
    await target.switchTo(green, config.drainTimeoutMs);
  } catch (error) {
    // A target that knows where the traffic is says so; anything else stays a crash of the run, as before.
    if (error instanceof TrafficError) return { ...(await switchFailed(input, green, blue.id, error)), steps };
    throw error;
  }
  await recordSwitch(input, green, blue, before.active);
  ctx.emit({ phase: 'switch', state: 'ok', message: `canary ${green.id} promoted${promoted ? ' by the operator' : ''}: 100% of traffic (stable ${blue.id} kept warm)` });
  ctx.step('retire');
  await target.retire(blue.id, config.keepWarmMs, config.drainTimeoutMs);
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
