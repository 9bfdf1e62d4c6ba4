import { ExitCode, UserError } from '../../errors.js';
import type { DeployContext, DeployOutcome } from '../../orchestrator/types.js';
import { listDeployments, liveDeployment } from './deployments.js';
import { describeFailure, firstFailure } from './outcome.js';
import { rollbackTo } from './rollback-to.js';
import { publicUrl } from './service-instance.js';
import { railwaySession } from './session.js';
import { recordLive } from './state.js';
import { verifyLive } from './verify-live.js';

/**
 * `deploy rollback <env> [--to <deploymentId>]` on Railway: deploymentRollback to the chosen deployment (default:
 * the previous one we recorded, else the newest earlier deployment Railway allows), wait for SUCCESS, verify.
 */
export async function rollbackRailway(ctx: DeployContext, to?: string): Promise<DeployOutcome> {
  const session = railwaySession(ctx);
  const target = await session.target();
  const instance = await session.instance();
  const url = publicUrl(ctx.config.url, instance);
  if (!url) throw new UserError('the Railway service has no public domain and no url is configured', ExitCode.usage);
  const live = await liveDeployment(session.api, target);
  const state = await ctx.state.read();
  const chosen = to ?? state.previous?.release ?? (await listDeployments(session.api, target, 20)).find((d) => d.id !== live?.id && d.canRollback)?.id;
  if (!chosen) throw new UserError(`no earlier Railway deployment to roll back to in ${target.environmentName}`, ExitCode.usage);
  if (chosen === live?.id) throw new UserError(`deployment ${chosen} is already live in ${target.environmentName}`, ExitCode.usage);
  const release = { id: chosen, version: '', commit: state.releases.find((r) => r.id === chosen)?.commit ?? null, contentHash: null };
  const leaving = live?.id ?? null;

  await ctx.journal?.phase('rolling-back', { switched: { to: chosen, from: leaving } });
  ctx.step('start');
  const back = await rollbackTo(ctx, session, target, chosen, leaving);
  if (!back.ok) {
    return {
      status: 'failed',
      exitCode: ExitCode.needsHuman,
      release,
      previousRelease: leaving,
      post: [{ name: 'Railway Rollback', ok: false, value: back.reason, threshold: 'SUCCESS' }],
      rollback: { performed: true, reason: back.reason, verified: false },
      message: `the rollback from ${leaving ?? 'nothing'} to ${chosen} could not be confirmed: ${back.reason}. Check \`deploy status ${ctx.config.environment}\``,
      verified: false,
    };
  }
  // What serves now is the deployment Railway made for the rollback; it carries `chosen`'s image.
  const restored = { ...release, id: back.liveId, version: `rollback of ${chosen}` };
  await recordLive(ctx, { id: back.liveId, url }, leaving);
  await ctx.journal?.phase('verifying');
  ctx.step('verify');
  const verification = await verifyLive(ctx, session, url, back.liveId);
  if (!verification.ok) {
    const failed = firstFailure(verification.results);
    return {
      status: 'failed',
      exitCode: ExitCode.needsHuman,
      release: restored,
      previousRelease: leaving,
      post: verification.results,
      rollback: { performed: true, reason: describeFailure(failed), verified: false },
      message: `rolled back from ${leaving ?? 'nothing'} to ${chosen} (Railway deployment ${back.liveId}), but it failed verification: ${describeFailure(failed)}`,
      verified: false,
    };
  }
  return {
    status: 'success',
    release: restored,
    previousRelease: leaving,
    post: verification.results,
    rollback: { performed: true, reason: to ? `requested: --to ${to}` : 'requested', verified: true },
    message: `Railway serves ${chosen}'s image again as deployment ${back.liveId} (no rebuild), verified`,
    verified: true,
  };
}
