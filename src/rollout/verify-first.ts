import { ExitCode } from '../errors.js';
import type { DeployOutcome } from '../orchestrator/types.js';
import { verificationReport, describeVerification } from '../verify/report.js';
import { runSmoke, smokeCheckResult } from '../verify/smoke.js';
import { requiredSamples } from '../verify/thresholds.js';
import { startGreen, switchFailed, verify } from './blue-green.js';
import { startingPoint } from './live.js';
import { describeFailure, firstFailure, releaseOf } from './outcome.js';
import { recordSwitch } from './switched.js';
import type { RolloutTarget } from './target.js';
import type { RolloutInput } from './types.js';

/** A target whose switch only a new rollout can undo (`capabilities.undo: 'redeploy'`, e.g. Argo Rollouts). */
export interface VerifyFirstTarget extends RolloutTarget {
  readonly capabilities: RolloutTarget['capabilities'] & { undo: 'redeploy' };
  /** What serves after `stop` withdrew the candidate before the switch, e.g. "the Rollout was aborted before promotion, …". */
  withdrawn(id: string): string;
  /** How a human goes back once the switch is done, e.g. "run `kubectl argo rollouts undo shop -n default`". */
  undo(id: string): string;
}

export function verifiesFirst(target: RolloutTarget): target is VerifyFirstTarget {
  return target.capabilities.undo === 'redeploy';
}

/**
 * Blue-green for a target without an instant switch back: start the candidate, wait until it is ready, smoke it
 * directly (`startGreen`, the engine's one gate before traffic), verify it over the watch window through its own
 * address, and switch only when that passed. Any failure before the switch withdraws the candidate: no traffic ever
 * moved. An inconclusive window is a failure here: switching to a release not shown healthy cannot be taken back.
 * `publicUrl` ('' when the users' address is not reachable from here) gets one more smoke test after the switch; a
 * failure there needs a human, since going back is a new rollout.
 */
export async function deployVerifyFirst(input: RolloutInput & { target: VerifyFirstTarget }): Promise<DeployOutcome> {
  const { ctx, target, release } = input;
  const config = ctx.config;
  const { before, live: blue, timing } = await startingPoint(ctx, target, input.timing);
  const blueId = blue?.id ?? null;

  await ctx.journal?.phase('green-starting', { release: release.id });
  const started = await startGreen(input, timing, blueId, 'preview');
  if ('outcome' in started) {
    const reason = started.outcome.rollback.reason;
    return { ...started.outcome, message: `${reason}; ${target.withdrawn(started.outcome.release.id)}` };
  }
  const green = started.green;

  await ctx.journal?.phase('verifying');
  ctx.step('verify');
  // Through the candidate's own address: the users' one still reaches the live release.
  const verification = await verify({ ...input, publicUrl: green.url }, green, timing, null);
  const report = verificationReport(verification, 'rollback', requiredSamples(config.verify.minRequests), null);
  if (!verification.ok) {
    const failed =
      verification.outcome === 'inconclusive' && !ctx.signal.aborted
        ? { name: 'Verification', ok: false, inconclusive: true, value: describeVerification(report), threshold: 'enough requests to tell' }
        : firstFailure(verification.results);
    ctx.emit({ phase: 'verify', state: 'fail', message: describeFailure(failed) });
    ctx.step('withdraw');
    const logTail = await target.logTail(green.id, 20).catch(() => []);
    await target.stop(green.id, timing.stopTimeoutMs);
    return {
      status: 'failed',
      exitCode: ExitCode.rolledBack,
      release: releaseOf(release),
      previousRelease: blueId,
      post: verification.results,
      rollback: { performed: false, reason: describeFailure(failed) },
      message: `${describeFailure(failed)}; ${target.withdrawn(green.id)}`,
      logTail,
      verified: false,
      verification: report,
    };
  }
  ctx.emit({ phase: 'verify', state: 'ok', message: `${green.id} verified before the switch` });

  await ctx.journal?.phase('switching', { switched: { to: green.id, from: blueId } });
  ctx.step('switch');
  let moved: string | void;
  try {
    moved = await target.switchTo(green, config.drainTimeoutMs);
  } catch (error) {
    const failed = await switchFailed(input, green, blueId, error);
    return { ...failed, post: [...verification.results, ...failed.post], verification: report };
  }
  await recordSwitch(input, green, blue, before.active);
  ctx.emit({ phase: 'switch', state: 'ok', message: moved || `traffic on ${green.id}` });

  const post = [...verification.results];
  if (input.publicUrl) {
    const after = smokeCheckResult(await runSmoke(input.publicUrl, config.verify.smoke, { timeoutMs: timing.requestTimeoutMs, signal: ctx.signal }), 'Smoke Tests (after the switch)');
    post.push(after);
    if (!after.ok) {
      const message = `${describeFailure(after)} through ${input.publicUrl} after the switch; ${green.id} serves and there is no instant way back: ${target.undo(green.id)}`;
      return { status: 'failed', exitCode: ExitCode.needsHuman, release: releaseOf(release), previousRelease: blueId, post, rollback: { performed: false, reason: describeFailure(after) }, message, verified: false, verification: report };
    }
  }
  ctx.step('retire');
  if (blue) await target.retire(blue.id, config.keepWarmMs, config.drainTimeoutMs);
  await input.afterSuccess?.(green.id, blueId).catch((error: unknown) => ctx.log(`after-success step failed: ${String(error)}`));
  return { status: 'success', release: releaseOf(release), previousRelease: blueId, post, rollback: { performed: false, reason: null }, verified: true, verification: report };
}
