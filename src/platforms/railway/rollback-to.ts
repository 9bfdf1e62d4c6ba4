import type { DeployContext } from '../../orchestrator/types.js';
import { getDeployment, listDeployments } from './deployments.js';
import { isFinal } from './operations.js';
import type { RailwaySession } from './session.js';
import type { RailwayTarget } from './target.js';

export type RollbackResult = { ok: true; liveId: string } | { ok: false; reason: string };

/** Railway's clock and ours may differ a little; a rollback's deployment is at most this much "older" than our call. */
const CLOCK_SLACK_MS = 5_000;

/**
 * deploymentRollback(toId) (Railway restores that deployment's image and variables, no rebuild), then waits until
 * the deployment carrying it is SUCCESS. `leaving` is the deployment being replaced; it is never taken for the result.
 */
export async function rollbackTo(ctx: DeployContext, session: RailwaySession, target: RailwayTarget, toId: string, leaving: string | null): Promise<RollbackResult> {
  const { api, settings } = session;
  const wanted = await getDeployment(api, toId).catch((error: unknown) => error as Error);
  if (wanted instanceof Error) return { ok: false, reason: `deployment ${toId} could not be read (${wanted.message})` };
  if (!wanted.canRollback) return { ok: false, reason: `Railway does not allow a rollback to ${toId} (canRollback is false)` };
  const sentAt = Date.now();
  try {
    const data = await api.query<{ deploymentRollback: boolean }>('rollback', { id: toId });
    if (!data.deploymentRollback) return { ok: false, reason: `Railway refused deploymentRollback(${toId})` };
  } catch (error) {
    return { ok: false, reason: `deploymentRollback(${toId}) failed: ${error instanceof Error ? error.message : String(error)}` };
  }
  ctx.emit({ phase: 'rollback', state: 'info', message: `deploymentRollback(${toId}) sent; waiting for Railway to report SUCCESS` });
  const started = ctx.clock.now();
  let last = '';
  for (;;) {
    const list = await listDeployments(api, target, 10).catch(() => []);
    const carrier = list.find((d) => d.id !== leaving && (d.id === toId || Date.parse(d.createdAt) >= sentAt - CLOCK_SLACK_MS));
    if (carrier) {
      if (carrier.status !== last) {
        last = carrier.status;
        ctx.emit({ phase: 'rollback', state: 'info', message: `rollback deployment ${carrier.id}: ${carrier.status}` });
      }
      if (carrier.status === 'SUCCESS') return { ok: true, liveId: carrier.id };
      if (isFinal(carrier.status)) return { ok: false, reason: `the rollback deployment ${carrier.id} ended ${carrier.status}` };
    }
    if (ctx.signal.aborted) return { ok: false, reason: 'interrupted while waiting for the rollback' };
    const left = settings.deadlineMs - (ctx.clock.now() - started);
    if (left <= 0) return { ok: false, reason: `no SUCCESS within ${Math.round(settings.deadlineMs / 1000)}s (last seen: ${last || 'nothing yet'})` };
    await ctx.clock.sleep(Math.min(settings.pollIntervalMs, left), ctx.signal);
  }
}
