import type { HistoryRecord } from '../../contracts/history.js';
import type { DeployContext, PlatformStatus } from '../../orchestrator/types.js';
import { listDeployments } from './deployments.js';
import type { DeploymentNode } from './operations.js';
import { publicUrl } from './service-instance.js';
import { railwaySession } from './session.js';

/** One Railway deployment as `deploy status` and `deploy history` show it, with what our history knows of it. */
export interface PlatformDeployment {
  id: string;
  status: string;
  createdAt: string;
  /** Our history's record of it: "deploy success verified", or null when it was not made by us (dashboard, git push). */
  ours: string | null;
  by: string | null;
}

export function mergeWithHistory(nodes: DeploymentNode[], history: HistoryRecord[]): PlatformDeployment[] {
  const byRelease = new Map<string, HistoryRecord>();
  for (const record of history) if (record.release?.id && (record.type === 'deploy' || record.type === 'rollback')) byRelease.set(record.release.id, record);
  return nodes.map((node) => {
    const record = byRelease.get(node.id);
    // A deployment our automatic rollback created is named in that run's message, not as its release.
    const rolledBackBy = record ? undefined : history.find((r) => r.type === 'deploy' && r.detail?.includes(`Railway deployment ${node.id}`));
    return {
      id: node.id,
      status: node.status,
      createdAt: node.createdAt,
      ours: record ? `${record.type} ${record.status}${record.verified ? ' verified' : ''}` : rolledBackBy ? `automatic rollback of a ${rolledBackBy.status} deploy` : null,
      by: node.creator?.name ?? null,
    };
  });
}

export async function platformDeployments(ctx: DeployContext, first = 10): Promise<PlatformDeployment[]> {
  const session = railwaySession(ctx);
  const target = await session.target();
  const [nodes, history] = await Promise.all([listDeployments(session.api, target, first), ctx.state.readHistory()]);
  return mergeWithHistory(nodes, history);
}

export function formatDeployment(d: PlatformDeployment): string {
  return [d.createdAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'), d.id, d.status.padEnd(9), d.ours ? `shipgate: ${d.ours}` : `not from shipgate${d.by ? ` (by ${d.by})` : ''}`].join('  ');
}

/** `deploy status` on Railway: the live deployment, the rollback target, and the latest deployments. */
export async function railwayStatus(ctx: DeployContext): Promise<PlatformStatus> {
  const session = railwaySession(ctx);
  const target = await session.target();
  const instance = await session.instance();
  const deployments = await platformDeployments(ctx);
  const state = await ctx.state.read();
  const live = deployments.find((d) => d.status === 'SUCCESS') ?? null;
  const url = publicUrl(ctx.config.url, instance) ?? '';
  const lines = [
    `railway: ${target.serviceName} in ${target.environmentName} (project ${target.projectName}); healthcheckPath ${instance.healthcheckPath ?? 'not set'}`,
    `live: ${live ? live.id : 'none'}${state.previous ? `; rollback target: ${state.previous.release}` : ''}`,
    ...deployments.map(formatDeployment),
  ];
  return {
    url,
    active: live ? { release: live.id, upstream: url } : null,
    previous: state.previous ? { release: state.previous.release, upstream: null, running: false } : null,
    detail: lines.join('\n'),
  };
}
