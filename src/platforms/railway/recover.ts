import type { Journal, RecoveryResult } from '../../journal/journal.js';
import type { DeployContext } from '../../orchestrator/types.js';
import { getDeployment, liveDeployment } from './deployments.js';
import { isFinal } from './operations.js';
import { rollbackTo } from './rollback-to.js';
import { publicUrl } from './service-instance.js';
import { railwaySession } from './session.js';
import { recordLive } from '../../rollout/whole-switch-state.js';

/**
 * A deploy killed after it triggered a Railway deployment left that deployment unverified. If it went live,
 * deploymentRollback returns to the deployment that served before; if it is still building, nothing can be decided
 * yet (the journal stays, the next run tries again); if it failed, Railway never swapped and nothing is to do.
 */
export async function recoverRailway(ctx: DeployContext, journal: Journal): Promise<RecoveryResult> {
  const unverified = journal.switched?.to ?? journal.release;
  const before = journal.switched?.from ?? journal.from;
  const session = railwaySession(ctx);
  const target = await session.target();
  const live = await liveDeployment(session.api, target);
  const done = (message: string, ok = true): RecoveryResult => ({ active: live?.id ?? null, stopped: [], message, ok });
  if (!unverified) return done(`the interrupted ${journal.kind} had not triggered a Railway deployment; ${live?.id ?? 'nothing'} serves`);
  if (journal.kind === 'rollback') return done(`the interrupted rollback left ${live?.id ?? 'nothing'} live; run \`deploy status ${ctx.config.environment}\` to check it`, live !== null);
  const node = await getDeployment(session.api, unverified);
  if (!isFinal(node.status)) return done(`Railway deployment ${unverified} of the interrupted deploy is still ${node.status}; run again once it ends`, false);
  if (live?.id !== unverified) return done(`Railway deployment ${unverified} of the interrupted deploy is ${node.status} and not live; ${live?.id ?? 'nothing'} serves`);
  if (!before) return done(`Railway deployment ${unverified} went live unverified and there is no earlier deployment to return to`, false);
  const back = await rollbackTo(ctx, session, target, before, unverified);
  if (!back.ok) return done(`returning from the unverified ${unverified} to ${before} failed: ${back.reason}`, false);
  const url = publicUrl(ctx.config.url, await session.instance()) ?? '';
  await recordLive(ctx, { id: back.liveId, url }, null);
  return { active: back.liveId, stopped: [], message: `the unverified ${unverified} was rolled back to ${before} (Railway deployment ${back.liveId})`, ok: true };
}
