import type { ResolvedEnvironment } from '../../config/types.js';
import { formatDuration } from '../../config/duration.js';

/** What `deploy <env> --dry-run` lists on Railway (pure); src/orchestrator/plan.ts calls it. */
export function railwayPlanSteps(config: ResolvedEnvironment, kind: 'deploy' | 'rollback', to: string | null = null): string[] {
  const r = config.railway;
  const env = r?.environment ?? config.environment;
  const target = `service ${r?.service ?? '?'} in Railway environment ${env} (project ${r?.project ?? '?'})`;
  const verify = `verify ${formatDuration(config.verify.windowMs)} on ${config.url || 'the service domain'}: error rate < ${Math.round(config.verify.errorRate * 1000) / 10}%, p95 < ${config.verify.p95Ms}ms, ≥${config.verify.minRequests} requests, smoke`;
  if (kind === 'rollback') {
    return [`deploymentRollback(${to ?? 'the previous deployment'}) on ${target} (no rebuild)`, `poll until SUCCESS (deadline ${formatDuration(r?.deadlineMs ?? 0)})`, verify];
  }
  const source = r?.source === 'image' ? `set the image ${r.image} and call serviceInstanceDeployV2` : 'upload the working tree (.gitignore and .railwayignore honoured)';
  return [
    'pre-checks (parallel): common checks, Railway token, service, healthcheckPath',
    `serviceInstanceUpdate only where settings differ (healthcheckPath ${config.health.path}${r?.overlapSeconds != null ? `, overlapSeconds ${r.overlapSeconds}` : ''}${r?.drainingSeconds != null ? `, drainingSeconds ${r.drainingSeconds}` : ''})`,
    `record the live deployment as the rollback target; ${source} to ${target}`,
    `poll the deployment every ${formatDuration(r?.pollIntervalMs ?? 0)} until SUCCESS, FAILED, CRASHED, REMOVED or SKIPPED (deadline ${formatDuration(r?.deadlineMs ?? 0)})`,
    verify,
    'on failure: deploymentRollback(previous), wait for SUCCESS, verify it; exit 1 (exit 4 naming both ids if that cannot be confirmed)',
  ];
}
