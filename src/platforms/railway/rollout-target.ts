import type { PostCheckResult } from '../../contracts/summary.js';
import type { DeployContext } from '../../orchestrator/types.js';
import type { WholeSwitchTarget } from '../../rollout/target.js';
import { liveDeployment, logTail, waitForFinal } from './deployments.js';
import { rollbackTo } from './rollback-to.js';
import type { RailwaySession } from './session.js';
import type { RailwayTarget } from './target.js';
import { triggerDeployment } from './trigger.js';
import { verifyLive } from './verify-live.js';

/**
 * Railway as a target of the rollout engine (src/rollout/whole-switch.ts). Railway switches whole deployments only,
 * and itself: a deployment serves as soon as its healthcheck passes, so there is no direct smoke before traffic and
 * no weights. Going back is deploymentRollback, which Railway serves as a new deployment of the same image.
 */
export function railwayRolloutTarget(ctx: DeployContext, session: RailwaySession, target: RailwayTarget, url: string): WholeSwitchTarget {
  const { api, settings } = session;
  return {
    capabilities: { weights: false, startsWithoutTraffic: false },
    platform: 'Railway',
    kind: 'Railway deployment',
    live: async () => {
      const node = await liveDeployment(api, target);
      return node ? { id: node.id, url } : null;
    },
    async start(release, created) {
      const previous = (await liveDeployment(api, target))?.id ?? null;
      const id = await triggerDeployment(ctx, session, target, release.commit, previous);
      await created(id);
      const polled = await waitForFinal(api, id, {
        intervalMs: settings.pollIntervalMs,
        deadlineMs: settings.deadlineMs,
        clock: ctx.clock,
        signal: ctx.signal,
        onStatus: (status) => ctx.emit({ phase: 'railway', state: 'info', message: `${id}: ${status}` }),
      });
      if (polled.final && polled.status === 'SUCCESS') return { id, url };
      const check: PostCheckResult = { name: 'Railway Deployment', ok: false, value: polled.status, threshold: 'SUCCESS' };
      if (!polled.final) {
        const detail = polled.reason === 'deadline' ? `still ${polled.status} after railway.deadline (${Math.round(settings.deadlineMs / 1000)}s)` : `interrupted while ${polled.status}`;
        return { id, check, detail, settled: false, logTail: [] };
      }
      return { id, check, detail: `ended ${polled.status}`, settled: true, logTail: await logTail(api, id, polled.status) };
    },
    async switchTo(id, leaving) {
      const back = await rollbackTo(ctx, session, target, id, leaving);
      return back.ok ? { ok: true, live: { id: back.liveId, url } } : back;
    },
    verify: (release) => verifyLive(ctx, session, release.url, release.id),
    // Verification runs on a deployment that went live: its deploy log says why it failed (a build log would not).
    logTail: (id, lines) => logTail(api, id, 'SUCCESS', lines),
  };
}
