import type { DeployContext } from '../../orchestrator/types.js';
import { type PostDeployResult, verifyAfterSwitch } from '../../verify/post-deploy.js';
import { parseSmokeSpec } from '../../verify/smoke-spec.js';
import { requiredSamples } from '../../verify/thresholds.js';
import { ClientMetrics } from './client-metrics.js';

export function requestTimeoutMs(ctx: DeployContext): number {
  return Math.max(500, Math.min(5_000, ctx.config.health.timeoutMs));
}

/**
 * Post-deployment verification through `url` (src/verify/: smoke, error rate and p95 over the watch window with
 * minimum samples, database). The figures come from our own steady probe traffic, measured client-side.
 */
export async function verifyThrough(ctx: DeployContext, publicUrl: string, label: string): Promise<PostDeployResult> {
  const { config } = ctx;
  const paths = [...new Set(config.verify.smoke.map(parseSmokeSpec).filter((s) => s.method === 'GET').map((s) => s.path))];
  const pace = { requests: Math.ceil(requiredSamples(config.verify.minRequests) * 1.5), overMs: Math.max(1, config.verify.windowMs * 0.8) };
  const metrics = new ClientMetrics(publicUrl, paths, { requestTimeoutMs: requestTimeoutMs(ctx), label, signal: ctx.signal, pace });
  try {
    return await verifyAfterSwitch({
      publicUrl,
      smoke: config.verify.smoke,
      thresholds: { errorRate: config.verify.errorRate, p95Ms: config.verify.p95Ms, minRequests: config.verify.minRequests },
      windowMs: config.verify.windowMs,
      tickMs: Math.min(1_000, Math.max(50, config.verify.windowMs / 10)),
      requestTimeoutMs: requestTimeoutMs(ctx),
      readMetrics: async () => metrics.snapshot(),
      probe: false,
      database: config.verify.database
        ? { target: config.verify.database, healthUrl: new URL(config.health.path, publicUrl).toString(), cwd: config.projectRoot, projectRoot: config.projectRoot }
        : null,
      clock: ctx.clock,
      signal: ctx.signal,
    });
  } finally {
    await metrics.stop();
  }
}
