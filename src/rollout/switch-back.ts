import type { PostCheckResult } from '../contracts/summary.js';
import { ExitCode } from '../errors.js';
import type { DeployOutcome } from '../orchestrator/types.js';
import type { Slot } from '../state/schema.js';
import { describeFailure, releaseOf } from './outcome.js';
import type { RunningRelease } from './target.js';
import type { FlowTiming } from './timing.js';
import type { RolloutInput } from './types.js';
import { verifyMovedTraffic } from './verify-moved.js';

export interface SwitchBackInput extends RolloutInput {
  green: RunningRelease;
  blue: RunningRelease;
  blueSlot: Slot;
  previousSlot: Slot | null;
  failed: PostCheckResult;
  post: PostCheckResult[];
  logTail: string[];
  timing: FlowTiming;
}

/**
 * Automatic rollback: the router goes back to the warm blue first (instant: no process to start), then blue is
 * verified again (healthy within the health deadline, smoke through the public URL), then green is drained and stopped.
 * Exit 1 when blue is verified; exit 4, naming where traffic is, when it is not.
 */
export async function switchBack(input: SwitchBackInput): Promise<DeployOutcome> {
  const { ctx, target, release, green, blue, failed, timing } = input;
  const config = ctx.config;
  const reason = describeFailure(failed);
  const started = performance.now();
  // Wall-clock marks for bench/local (shown with --verbose): decision -> new requests on blue.
  ctx.log(`rollback decided at ${Date.now()} (epoch ms)`);
  ctx.step('switch-back');
  let how: string | void;
  try {
    how = await target.switchTo(blue, config.drainTimeoutMs);
  } catch (error) {
    return uncertain(input, `${reason}; switching back to ${blue.id} failed (${(error as Error).message}): traffic is still on ${green.id} (${green.url}), which is still running`);
  }
  const switchMs = Math.round((performance.now() - started) * 10) / 10;
  ctx.log(`router switched back at ${Date.now()} (epoch ms)`);
  ctx.emit({ phase: 'rollback', state: 'ok', message: `traffic back on ${blue.id} in ${switchMs} ms` });
  await target.markLive(blue.id, true);
  await target.markLive(green.id, false);
  await ctx.state.update((state) => ({ ...state, active: { ...input.blueSlot, running: true }, previous: input.previousSlot }));

  const check = await verifyMovedTraffic(target, blue, { publicUrl: input.publicUrl, smoke: config.verify.smoke, timing });
  await target.drain(green.id, config.drainTimeoutMs).catch(() => undefined);
  await target.stop(green.id, timing.stopTimeoutMs);

  if (check.problem) {
    return uncertain(input, `${reason}; rolled back, but ${blue.id} fails its own checks (${check.problem}): traffic is on ${blue.id} (${blue.url}), ${green.id} is stopped`);
  }
  ctx.emit({ phase: 'rollback', state: 'ok', message: `${blue.id} verified: ${check.health.value}, smoke ${check.smoke.value}` });
  return {
    status: 'rolled_back',
    exitCode: ExitCode.rolledBack,
    release: releaseOf(release),
    previousRelease: blue.id,
    post: input.post,
    rollback: { performed: true, reason, verified: true },
    message: `${reason}; traffic back on ${blue.id} in ${switchMs} ms${how ? ` (${how})` : ''}`,
    logTail: input.logTail,
    verified: false,
  };
}

function uncertain(input: SwitchBackInput, message: string): DeployOutcome {
  input.ctx.emit({ phase: 'rollback', state: 'fail', message });
  return {
    status: 'failed',
    exitCode: ExitCode.needsHuman,
    release: releaseOf(input.release),
    previousRelease: input.blue.id,
    post: input.post,
    rollback: { performed: true, reason: describeFailure(input.failed), verified: false },
    message,
    logTail: input.logTail,
    verified: false,
  };
}
