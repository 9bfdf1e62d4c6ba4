import type { KubernetesSettings } from './config.js';
import { ExitCode, UserError } from '../../errors.js';
import type { DeployContext, DeployOutcome } from '../../orchestrator/types.js';
import { type KubeClient, getOrNull, resourcePath } from './api.js';
import { type FlowDeps, deployPlain } from './deploy-flow.js';
import { deploymentName } from './names.js';
import { planDeployment } from './plan.js';
import { sameSelector } from './state-report.js';
import { releaseLabels } from './manifests.js';

/**
 * `deploy rollback <env> [--to id]`: the previous release's Deployment (kept at 0 replicas) is scaled back up and
 * goes through the same flow as a new green: ready, smoke, guarded switch, verify, and back if that fails.
 */
export async function rollbackPlain(ctx: DeployContext, deps: FlowDeps, to?: string): Promise<DeployOutcome> {
  const { config } = ctx;
  const settings = config.kubernetes as KubernetesSettings;
  const state = await ctx.state.read();
  const targetId = to ?? state.previous?.release;
  const known = state.releases.map((r) => r.id);
  if (!targetId) throw new UserError(`${config.environment} has no previous release to roll back to; pass --to <release> (known: ${known.join(', ') || 'none'})`, ExitCode.usage);
  const name = deploymentName(config.app, targetId);
  const existing = await getOrNull<{ spec?: { template?: { spec?: { containers?: Array<{ image?: string }> } } } }>(deps.client, resourcePath('apps/v1', 'Deployment', settings.namespace, name));
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
  const selector = await currentSelector(deps.client, settings);
  if (sameSelector(selector, releaseLabels(release))) throw new UserError(`release ${targetId} already receives the traffic of ${config.environment}`, ExitCode.usage);
  return deployPlain(ctx, deps, planDeployment(release, selector), { existing: true });
}

async function currentSelector(client: KubeClient, settings: KubernetesSettings): Promise<Record<string, string>> {
  const svc = await client.request<{ spec?: { selector?: Record<string, string> } }>('GET', resourcePath('v1', 'Service', settings.namespace, settings.service));
  return svc.spec?.selector ?? {};
}
