import type { PostCheckResult } from '../contracts/summary.js';
import { ExitCode, UserError } from '../errors.js';
import type { DeployContext, DeployOutcome } from '../orchestrator/types.js';
import { runSmoke, smokeCheckResult } from '../verify/smoke.js';
import { failedBeforeSwitch, releaseOf } from './outcome.js';
import type { ReleaseMeta, RolloutTarget } from './target.js';
import { slotFor } from './slots.js';
import { startingPoint } from './live.js';
import type { FlowTiming } from './timing.js';
import { verifyMovedTraffic } from './verify-moved.js';
import { healthFailure, targetReady } from './wait-ready.js';

export interface RollbackInput {
  ctx: DeployContext;
  target: RolloutTarget;
  /** The release to return to. */
  release: ReleaseMeta;
  publicUrl: string;
  timing?: Partial<FlowTiming>;
}

/**
 * `deploy rollback <env> [--to <id>]`: instant when the target is still warm; otherwise it is started, waited for
 * and smoked directly first, exactly like green. After the switch it is verified (verify-moved.ts: healthy within
 * the health deadline, smoke through the public URL); the release it replaced stays warm for a while.
 * Exit 0, 1 (target never got traffic) or 4.
 */
export async function rollbackTo(input: RollbackInput): Promise<DeployOutcome> {
  const { ctx, target, release } = input;
  const config = ctx.config;
  const { before, live: current, timing } = await startingPoint(ctx, target, input.timing);
  if (current?.id === release.id) throw new UserError(`release ${release.id} is already active on ${config.environment}`, ExitCode.usage);

  ctx.step('start');
  let running = await target.running(release.id);
  const warm = running !== null;
  if (!running) {
    ctx.emit({ phase: 'start', state: 'start', message: `${release.id} is not warm: starting it` });
    running = await target.start(release);
    const ready = await targetReady(target, running, timing.health, ctx.signal);
    const smoke = ready.ok ? smokeCheckResult(await runSmoke(running.url, config.verify.smoke, { timeoutMs: timing.requestTimeoutMs }), 'Smoke Tests (direct)') : null;
    if (!ready.ok || !smoke?.ok) {
      const check: PostCheckResult = smoke ?? healthFailure(ready, timing.health);
      const tail = await target.logTail(running.id, 20).catch(() => []);
      await target.stop(running.id, timing.stopTimeoutMs);
      return failedBeforeSwitch(release, current?.id ?? null, check, tail);
    }
  }

  ctx.step('switch');
  const started = performance.now();
  await target.switchTo(running, config.drainTimeoutMs);
  const switchMs = Math.round((performance.now() - started) * 10) / 10;
  await target.markLive(running.id, true);
  // The traffic moved: the state says so before the old release is retired (a target may record its retirement).
  await ctx.state.update((state) => ({
    ...state,
    url: config.url,
    active: slotFor(running),
    previous: current && before.active ? { ...before.active, running: true } : state.previous,
  }));
  if (current) {
    await target.markLive(current.id, false);
    await target.retire(current.id, config.keepWarmMs, config.drainTimeoutMs);
  }
  ctx.emit({ phase: 'switch', state: 'ok', message: `traffic on ${running.id} in ${switchMs} ms (${warm ? 'was warm' : 'started cold'})` });

  ctx.step('verify');
  const check = await verifyMovedTraffic(target, running, { publicUrl: input.publicUrl, smoke: config.verify.smoke, timing });
  const post: PostCheckResult[] = [check.health, check.smoke];
  const verified = check.ok;
  const where = `traffic is on ${running.id} (${running.url})${current ? `, ${current.id} is kept warm` : ''}`;
  return {
    status: verified ? 'success' : 'failed',
    exitCode: verified ? ExitCode.ok : ExitCode.needsHuman,
    release: releaseOf(release),
    previousRelease: current?.id ?? null,
    post,
    rollback: { performed: true, reason: input.ctx.plan.options.reason ?? 'manual rollback', verified },
    message: verified ? `rolled back to ${running.id} in ${switchMs} ms (${warm ? 'warm' : 'cold start'})` : `rollback to ${running.id} could not be verified (${check.problem}): ${where}`,
    verified,
  };
}
