import type { KubernetesSettings } from './config.js';
import { ExitCode, UserError } from '../../errors.js';
import type { DeployContext } from '../../orchestrator/types.js';
import { type KubeClient, getOrNull, resourcePath } from './api.js';
import { deploymentName } from './names.js';
import { type DeploymentPlan, planDeployment } from './plan.js';
import { readHold } from './hold.js';
import { sameSelector } from './state-report.js';
import { releaseLabels } from './manifests.js';

/**
 * `deploy rollback <env> [--to id]`: the plan for the previous release's Deployment (kept at 0 replicas), which the
 * engine scales back up and treats like a new green: ready, smoke, guarded switch, verify.
 */
export async function rollbackPlan(ctx: DeployContext, client: KubeClient, to?: string): Promise<DeploymentPlan> {
  const { config } = ctx;
  const settings = config.kubernetes as KubernetesSettings;
  const state = await ctx.state.read();
  const targetId = to ?? state.previous?.release;
  const known = state.releases.map((r) => r.id);
  if (!targetId) throw new UserError(`${config.environment} has no previous release to roll back to; pass --to <release> (known: ${known.join(', ') || 'none'})`, ExitCode.usage);
  const name = deploymentName(config.app, targetId);
  const existing = await getOrNull<{ spec?: { template?: { spec?: { containers?: Array<{ image?: string }> } } } }>(client, resourcePath('apps/v1', 'Deployment', settings.namespace, name));
  if (!existing) throw new UserError(`release ${targetId}: Deployment ${settings.namespace}/${name} is no longer in the cluster; deploy that commit again instead`, ExitCode.usage);
  const record = state.releases.find((r) => r.id === targetId);
  const release = {
    app: config.app,
    environment: config.environment,
    id: targetId,
    commit: record?.commit ?? null,
    image: existing.spec?.template?.spec?.containers?.[0]?.image ?? record?.version ?? '',
    healthPath: config.health.path,
    settings,
    env: {},
  };
  const svc = await client.request<{ spec?: { selector?: Record<string, string> } }>('GET', resourcePath('v1', 'Service', settings.namespace, settings.service));
  const selector = svc.spec?.selector ?? {};
  if (sameSelector(selector, releaseLabels(release))) throw new UserError(`release ${targetId} already receives the traffic of ${config.environment}`, ExitCode.usage);
  return planDeployment(release, selector, null, await readHold(client, selector, release));
}
