import type { PostCheckResult } from '../../contracts/summary.js';
import type { DeployContext } from '../../orchestrator/types.js';
import { verifyAfterSwitch } from '../../verify/post-deploy.js';
import { formatPercent } from '../../verify/format.js';
import { getDeployment } from './deployments.js';
import { railwayHttpErrorRate } from './http-metrics.js';
import { startMeteringProxy } from './metering-proxy.js';
import { FAILED_STATES } from './operations.js';
import type { RailwaySession } from './session.js';

export interface LiveVerification {
  ok: boolean;
  results: PostCheckResult[];
  /** Set when Railway itself reported the deployment dead (CRASHED, REMOVED…) during the window. */
  railwayStatus: string | null;
}

/**
 * Post-deployment verification of the deployment now live on the public URL: the shared smoke / error-rate / p95 /
 * database checks (src/verify/) through a local metering proxy, while Railway's status of the deployment is
 * watched (CRASHED after going live fails at once), and Railway's own HTTP metrics when it has them.
 */
export async function verifyLive(ctx: DeployContext, session: RailwaySession, url: string, deploymentId: string): Promise<LiveVerification> {
  const config = ctx.config;
  const target = await session.target();
  const proxy = await startMeteringProxy(url, deploymentId);
  const died = new AbortController();
  let railwayStatus: string | null = null;
  const watching = new AbortController();
  const watcher = (async () => {
    const signal = AbortSignal.any([watching.signal, ctx.signal]);
    const interval = Math.max(50, Math.min(session.settings.pollIntervalMs, Math.round(config.verify.windowMs / 4)));
    while (!signal.aborted) {
      await ctx.clock.sleep(interval, signal);
      if (signal.aborted) return;
      const node = await getDeployment(session.api, deploymentId).catch(() => null);
      if (node && FAILED_STATES.has(node.status)) {
        railwayStatus = node.status;
        ctx.emit({ phase: 'verify', state: 'fail', message: `Railway reports ${deploymentId} ${node.status} after going live` });
        died.abort();
        return;
      }
    }
  })();
  const startedAt = Date.now();
  const window = config.verify.windowMs;
  try {
    const verification = await verifyAfterSwitch({
      publicUrl: proxy.url,
      smoke: config.verify.smoke,
      thresholds: { errorRate: config.verify.errorRate, p95Ms: config.verify.p95Ms, minRequests: config.verify.minRequests },
      windowMs: window,
      tickMs: Math.min(1_000, Math.max(100, Math.round(window / 20))),
      requestTimeoutMs: 5_000,
      readMetrics: async () => proxy.read(Math.max(1_000, Date.now() - startedAt + 1_000)),
      database: config.verify.database
        ? { target: config.verify.database, intervalMs: Math.min(5_000, Math.max(250, Math.round(window / 4))), healthUrl: new URL(config.health.path, url).toString(), cwd: config.projectRoot, projectRoot: config.projectRoot }
        : null,
      clock: ctx.clock,
      signal: AbortSignal.any([ctx.signal, died.signal]),
    });
    const results = [...verification.results];
    if (railwayStatus) {
      results.unshift({ name: 'Railway Status', ok: false, value: `${railwayStatus} after going live`, threshold: 'SUCCESS' });
      return { ok: false, results, railwayStatus };
    }
    if (verification.ok) {
      const railway = await railwayHttpErrorRate(session.api, target, new Date(startedAt), new Date()).catch(() => null);
      if (railway) {
        // The same minimum-sample rule as the probe figures: too few requests are shown but not judged.
        const judged = railway.requests >= config.verify.minRequests;
        const ok = !judged || railway.rate <= config.verify.errorRate;
        results.push({ name: 'Railway HTTP Metrics', ok, value: `${formatPercent(railway.rate)} 5xx of ${railway.requests}${judged ? '' : ' (too few to judge)'}`, threshold: `< ${formatPercent(config.verify.errorRate)}` });
        if (!ok) return { ok: false, results, railwayStatus: null };
      }
    }
    return { ok: verification.ok, results, railwayStatus: null };
  } finally {
    watching.abort();
    await watcher.catch(() => undefined);
    await proxy.close();
  }
}
