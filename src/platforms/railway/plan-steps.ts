import type { ResolvedEnvironment } from '../../config/types.js';
import { formatDuration } from '../../config/duration.js';
import { step, verifyText, type PlanStep } from '../../rollout/steps.js';

/** What `deploy <env> --dry-run` lists on Railway (pure). Railway moves whole deployments: no canary steps. */
export function railwayPlanSteps(config: ResolvedEnvironment, kind: 'deploy' | 'rollback', to: string | null = null): PlanStep[] {
  const r = config.railway;
  const env = r?.environment ?? config.environment;
  const target = `service ${r?.service ?? '?'} in Railway environment ${env} (project ${r?.project ?? '?'})`;
  const verify = step('verify', verifyText(config, ` on ${config.url || 'the service domain'}`));
  if (kind === 'rollback') {
    return [step('start', `deploymentRollback(${to ?? 'the previous deployment'}) on ${target} (no rebuild); poll until SUCCESS (deadline ${formatDuration(r?.deadlineMs ?? 0)})`), verify];
  }
  const source = r?.source === 'image' ? `set the image ${r.image} and call serviceInstanceDeployV2` : 'upload the working tree (.gitignore and .railwayignore honoured)';
  return [
    step('settings', `serviceInstanceUpdate only where settings differ (healthcheckPath ${config.health.path}${r?.overlapSeconds != null ? `, overlapSeconds ${r.overlapSeconds}` : ''}${r?.drainingSeconds != null ? `, drainingSeconds ${r.drainingSeconds}` : ''})`),
    step('start', `record the live deployment as the rollback target; ${source} to ${target}; poll it every ${formatDuration(r?.pollIntervalMs ?? 0)} until SUCCESS, FAILED, CRASHED, REMOVED or SKIPPED (deadline ${formatDuration(r?.deadlineMs ?? 0)}); Railway moves the traffic once its healthcheck passes`),
    verify,
    step('switch-back', 'on failure: deploymentRollback(previous), wait for SUCCESS, verify it; exit 1 (exit 4 naming both ids if that cannot be confirmed)', true),
  ];
}
