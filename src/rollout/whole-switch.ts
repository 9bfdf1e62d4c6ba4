import { ExitCode } from '../errors.js';
import type { DeployContext, DeployOutcome } from '../orchestrator/types.js';
import { describeFailure, firstFailure, releaseOf } from './outcome.js';
import type { ReleaseMeta, RunningRelease, StartRefused, WholeSwitchTarget } from './target.js';
import { recordLive } from './whole-switch-state.js';

export interface WholeSwitchInput {
  ctx: DeployContext;
  target: WholeSwitchTarget;
  /** What is deployed; its id is the platform's, known once the platform created the release. */
  release: ReleaseMeta;
  /** Appended to the outcome's message, e.g. the platform settings the run changed. */
  note?: string;
}

/**
 * Blue-green on a target that switches whole deployments itself (src/rollout/target.ts, WholeSwitchTarget): start
 * (the platform moves traffic once its health check passes), verify on the public URL, and on a failed verification
 * switch back to the release that served before, then verify that one. Exit 1 when the switch back is verified;
 * anything that cannot be confirmed is exit 4 naming both releases.
 */
export async function deployWholeSwitch(input: WholeSwitchInput): Promise<DeployOutcome> {
  const { ctx, target } = input;
  const note = input.note ?? '';
  const previous = (await target.live())?.id ?? null;
  const previousBefore = (await ctx.state.read()).previous;
  await ctx.journal?.phase('green-starting');
  ctx.step('start');
  const started = await target.start(input.release, async (id) => {
    await ctx.journal?.phase('switching', { release: id, switched: { to: id, from: previous } });
    ctx.emit({ phase: 'deploy', state: 'info', message: `${target.kind} ${id} created${previous ? `; rollback plan: ${previous}` : ' (first deployment)'}` });
  });
  if ('check' in started) return startRefused(input, started, previous);
  const release = { ...input.release, id: started.id };

  await recordLive(ctx, started, previous, release);
  ctx.emit({ phase: 'switch', state: 'ok', message: `${target.platform} swapped ${started.url} to ${started.id} (its health check passed)` });
  await ctx.journal?.phase('verifying');
  ctx.step('verify');
  const verification = await target.verify(started);
  if (verification.ok) {
    ctx.emit({ phase: 'verify', state: 'ok', message: 'post-deployment verification passed' });
    return { status: 'success', release: releaseOf(release), previousRelease: previous, post: verification.results, rollback: { performed: false, reason: null }, verified: true, ...(note ? { message: `deployed ${started.id}${note}` } : {}) };
  }

  const failed = firstFailure(verification.results);
  const reason = describeFailure(failed);
  ctx.emit({ phase: 'verify', state: 'fail', message: reason });
  const base = { release: releaseOf(release), previousRelease: previous, logTail: await target.logTail(started.id, 20).catch(() => []), verified: false } as const;
  const needsHuman = (post: DeployOutcome['post'], performed: boolean, message: string): DeployOutcome => ({
    ...base, status: 'failed', exitCode: ExitCode.needsHuman, post, rollback: { performed, reason, ...(performed ? { verified: false } : {}) }, message: `${message}${note}`,
  });
  if (!previous) return needsHuman(verification.results, false, `${reason}; there is no earlier ${target.kind} to roll back to, so ${started.id} still serves ${started.url}`);

  await ctx.journal?.phase('rolling-back');
  ctx.step('switch-back');
  ctx.emit({ phase: 'rollback', state: 'start', message: `rolling back to ${previous}` });
  const back = await target.switchTo(previous, started.id);
  if (!back.ok) {
    return needsHuman(verification.results, true, `${reason}; the rollback from ${started.id} to ${previous} could not be confirmed: ${back.reason}. ${started.id} may still be live: check \`deploy status ${ctx.config.environment}\``);
  }
  await recordLive(ctx, back.live, null);
  // The failed release is no rollback target: keep the one recorded before this deploy.
  await ctx.state.update((state) => ({ ...state, previous: previousBefore }));
  ctx.emit({ phase: 'rollback', state: 'ok', message: `${target.kind} ${back.live.id} serves ${previous}'s release again; verifying it` });
  const again = await target.verify(back.live);
  const post = [...verification.results, ...again.results.map((r) => ({ ...r, name: `${r.name} (after rollback)` }))];
  const via = back.live.id === previous ? '' : ` (${target.kind} ${back.live.id})`;
  if (!again.ok) {
    return needsHuman(post, true, `${reason}; rolled back from ${started.id} to ${previous}${via}, but that failed verification too: ${describeFailure(firstFailure(again.results))}`);
  }
  return {
    ...base,
    status: 'rolled_back',
    exitCode: ExitCode.rolledBack,
    post,
    rollback: { performed: true, reason, verified: true },
    message: `${reason}; rolled back from ${started.id} to ${previous}${via}, verified${note}`,
  };
}

/** The platform never moved traffic to the release (exit 1), or may still do so (exit 4: a human looks). */
function startRefused(input: WholeSwitchInput, refused: StartRefused, previous: string | null): DeployOutcome {
  const { ctx, target } = input;
  const env = ctx.config.environment;
  const base = { release: releaseOf({ ...input.release, id: refused.id }), previousRelease: previous, post: [refused.check], verified: false as const };
  if (!refused.settled) {
    const back = previous ? `${previous} served before it; \`deploy rollback ${env} --to ${previous}\` returns to it. ` : '';
    return { ...base, status: 'failed', exitCode: ExitCode.needsHuman, rollback: { performed: false, reason: refused.detail }, message: `${target.kind} ${refused.id} is ${refused.detail}; ${target.platform} may still swap to it. ${back}Check \`deploy status ${env}\`${input.note ?? ''}` };
  }
  return {
    ...base,
    status: 'failed',
    exitCode: ExitCode.rolledBack,
    rollback: { performed: false, reason: `${refused.id} ${refused.detail}` },
    message: `${target.kind} ${refused.id} ${refused.detail}; ${target.platform} never swapped to it${previous ? `, ${previous} still serves` : ''}${input.note ?? ''}`,
    logTail: refused.logTail,
  };
}

export interface WholeSwitchRollback {
  ctx: DeployContext;
  target: WholeSwitchTarget;
  /** The release to return to (the driver chose it: --to, the recorded previous one, or the platform's list). */
  to: string;
  leaving: RunningRelease | null;
  /** Why, for the summary, e.g. "requested: --to d-3". */
  reason: string;
}

/** `deploy rollback` on a whole-switch target: switch to the chosen release, wait for the platform, verify. */
export async function rollBackWholeSwitch(input: WholeSwitchRollback): Promise<DeployOutcome> {
  const { ctx, target, to } = input;
  const leaving = input.leaving?.id ?? null;
  const state = await ctx.state.read();
  const release = { id: to, version: '', commit: state.releases.find((r) => r.id === to)?.commit ?? null, contentHash: null };
  await ctx.journal?.phase('rolling-back', { switched: { to, from: leaving } });
  ctx.step('start');
  const back = await target.switchTo(to, leaving);
  if (!back.ok) {
    return {
      status: 'failed',
      exitCode: ExitCode.needsHuman,
      release,
      previousRelease: leaving,
      post: [{ name: 'Rollback', ok: false, value: back.reason, threshold: `${to} serves` }],
      rollback: { performed: true, reason: back.reason, verified: false },
      message: `the rollback from ${leaving ?? 'nothing'} to ${to} could not be confirmed: ${back.reason}. Check \`deploy status ${ctx.config.environment}\``,
      verified: false,
    };
  }
  // What serves now may be a new release the platform made of `to` (the same image).
  const restored = { ...release, id: back.live.id, version: back.live.id === to ? release.version : `rollback of ${to}` };
  await recordLive(ctx, back.live, leaving);
  await ctx.journal?.phase('verifying');
  ctx.step('verify');
  const verification = await target.verify(back.live);
  const via = back.live.id === to ? '' : ` (${target.kind} ${back.live.id})`;
  if (!verification.ok) {
    const failed = firstFailure(verification.results);
    return {
      status: 'failed',
      exitCode: ExitCode.needsHuman,
      release: restored,
      previousRelease: leaving,
      post: verification.results,
      rollback: { performed: true, reason: describeFailure(failed), verified: false },
      message: `rolled back from ${leaving ?? 'nothing'} to ${to}${via}, but it failed verification: ${describeFailure(failed)}`,
      verified: false,
    };
  }
  return {
    status: 'success',
    release: restored,
    previousRelease: leaving,
    post: verification.results,
    rollback: { performed: true, reason: input.reason, verified: true },
    message: `rolled back from ${leaving ?? 'nothing'} to ${to}${via}, verified`,
    verified: true,
  };
}
