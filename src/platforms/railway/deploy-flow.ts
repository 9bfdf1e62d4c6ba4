import type { PostCheckResult } from '../../contracts/summary.js';
import { ExitCode } from '../../errors.js';
import type { DeployContext, DeployOutcome } from '../../orchestrator/types.js';
import { liveDeployment, logTail, waitForFinal } from './deployments.js';
import { settingsChange } from './managed-settings.js';
import { describeFailure, firstFailure } from './outcome.js';
import { releaseFacts, releaseOf } from './release.js';
import { rollbackTo } from './rollback-to.js';
import { publicUrl } from './service-instance.js';
import { railwaySession } from './session.js';
import { recordLive } from './state.js';
import { imageOf, triggerDeployment } from './trigger.js';
import { verifyLive } from './verify-live.js';

/**
 * One deploy on Railway: settings we manage, trigger (upload or image), poll to a final state, verify on the public
 * URL, and on a failed verification deploymentRollback(previous) -> SUCCESS -> verify again -> exit 1.
 * Anything that cannot be confirmed is exit 4 naming both deployment ids.
 */
export async function deployRailway(ctx: DeployContext): Promise<DeployOutcome> {
  const session = railwaySession(ctx);
  const { api, settings } = session;
  const target = await session.target();
  const instance = await session.instance();
  const facts = await releaseFacts(ctx);
  const url = publicUrl(ctx.config.url, instance);
  if (!url) throw new Error('the service has no public domain and no url is configured');

  ctx.step('settings');
  const change = settingsChange(instance, settings, ctx.config.health.path, imageOf(session, facts.commit));
  if (Object.keys(change.input).length > 0) {
    await api.query('serviceInstanceUpdate', { environmentId: target.environmentId, serviceId: target.serviceId, input: change.input });
    for (const note of change.notes) ctx.emit({ phase: 'settings', state: 'ok', message: note });
  }
  const notes = change.notes.length ? ` (${change.notes.join('; ')})` : '';

  const previousId = (await liveDeployment(api, target))?.id ?? null;
  const previousBefore = (await ctx.state.read()).previous;
  await ctx.journal?.phase('green-starting');
  ctx.step('start');
  const id = await triggerDeployment(ctx, session, target, facts.commit, previousId);
  const release = releaseOf(id, facts);
  await ctx.journal?.phase('switching', { release: id, switched: { to: id, from: previousId } });
  ctx.emit({ phase: 'deploy', state: 'info', message: `Railway deployment ${id} created${previousId ? `; rollback plan: ${previousId}` : ' (first deployment)'}` });

  const polled = await waitForFinal(api, id, {
    intervalMs: settings.pollIntervalMs,
    deadlineMs: settings.deadlineMs,
    clock: ctx.clock,
    signal: ctx.signal,
    onStatus: (status) => ctx.emit({ phase: 'railway', state: 'info', message: `${id}: ${status}` }),
  });
  if (!polled.final) {
    const why = polled.reason === 'deadline' ? `still ${polled.status} after railway.deadline (${Math.round(settings.deadlineMs / 1000)}s)` : `interrupted while ${polled.status}`;
    return {
      status: 'failed',
      exitCode: ExitCode.needsHuman,
      release,
      previousRelease: previousId,
      post: [{ name: 'Railway Deployment', ok: false, value: polled.status, threshold: 'SUCCESS' }],
      rollback: { performed: false, reason: why },
      message: `Railway deployment ${id} is ${why}; Railway may still swap to it. ${previousId ? `${previousId} served before it; \`deploy rollback ${ctx.config.environment} --to ${previousId}\` returns to it.` : ''} Check \`deploy status ${ctx.config.environment}\`${notes}`,
      verified: false,
    };
  }
  if (polled.status !== 'SUCCESS') {
    const tail = await logTail(api, id, polled.status);
    const check: PostCheckResult = { name: 'Railway Deployment', ok: false, value: polled.status, threshold: 'SUCCESS' };
    return {
      status: 'failed',
      exitCode: ExitCode.rolledBack,
      release,
      previousRelease: previousId,
      post: [check],
      rollback: { performed: false, reason: `deployment ${id} ended ${polled.status}` },
      message: `Railway deployment ${id} ended ${polled.status}; Railway never swapped to it${previousId ? `, ${previousId} still serves` : ''}${notes}`,
      logTail: tail,
      verified: false,
    };
  }

  await recordLive(ctx, { id, url }, previousId, facts);
  ctx.emit({ phase: 'switch', state: 'ok', message: `Railway swapped ${url} to ${id} (its healthcheck answered 200)` });
  await ctx.journal?.phase('verifying');
  ctx.step('verify');
  const verification = await verifyLive(ctx, session, url, id);
  if (verification.ok) {
    ctx.emit({ phase: 'verify', state: 'ok', message: 'post-deployment verification passed' });
    return {
      status: 'success',
      release,
      previousRelease: previousId,
      post: verification.results,
      rollback: { performed: false, reason: null },
      verified: true,
      ...(notes ? { message: `deployed ${id}${notes}` } : {}),
    };
  }

  const failed = firstFailure(verification.results);
  ctx.emit({ phase: 'verify', state: 'fail', message: describeFailure(failed) });
  const tail = await logTail(api, id, verification.railwayStatus ?? 'SUCCESS');
  const base = { release, previousRelease: previousId, logTail: tail, verified: false } as const;
  if (!previousId) {
    return {
      ...base,
      status: 'failed',
      exitCode: ExitCode.needsHuman,
      post: verification.results,
      rollback: { performed: false, reason: describeFailure(failed) },
      message: `${describeFailure(failed)}; there is no earlier Railway deployment to roll back to, so ${id} still serves ${url}${notes}`,
    };
  }
  await ctx.journal?.phase('rolling-back');
  ctx.step('switch-back');
  ctx.emit({ phase: 'rollback', state: 'start', message: `rolling back: deploymentRollback(${previousId})` });
  const back = await rollbackTo(ctx, session, target, previousId, id);
  if (!back.ok) {
    return {
      ...base,
      status: 'failed',
      exitCode: ExitCode.needsHuman,
      post: verification.results,
      rollback: { performed: true, reason: describeFailure(failed), verified: false },
      message: `${describeFailure(failed)}; the rollback from ${id} to ${previousId} could not be confirmed: ${back.reason}. ${id} may still be live: check \`deploy status ${ctx.config.environment}\`${notes}`,
    };
  }
  await recordLive(ctx, { id: back.liveId, url }, null);
  // The failed deployment is no rollback target: keep the one recorded before this deploy.
  await ctx.state.update((state) => ({ ...state, previous: previousBefore }));
  ctx.emit({ phase: 'rollback', state: 'ok', message: `Railway serves ${back.liveId} again (${previousId}'s image, no rebuild); verifying it` });
  const again = await verifyLive(ctx, session, url, back.liveId);
  const post = [...verification.results, ...again.results.map((r) => ({ ...r, name: `${r.name} (after rollback)` }))];
  if (!again.ok) {
    return {
      ...base,
      status: 'failed',
      exitCode: ExitCode.needsHuman,
      post,
      rollback: { performed: true, reason: describeFailure(failed), verified: false },
      message: `${describeFailure(failed)}; rolled back from ${id} to ${previousId} (now ${back.liveId}), but that failed verification too: ${describeFailure(firstFailure(again.results))}${notes}`,
    };
  }
  return {
    ...base,
    status: 'rolled_back',
    exitCode: ExitCode.rolledBack,
    post,
    rollback: { performed: true, reason: describeFailure(failed), verified: true },
    message: `${describeFailure(failed)}; rolled back from ${id} to ${previousId} (Railway deployment ${back.liveId}), verified${notes}`,
  };
}
