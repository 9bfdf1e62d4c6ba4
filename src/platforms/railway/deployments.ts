import type { Clock } from '../../verify/clock.js';
import type { RailwayApi } from './api.js';
import { type DeploymentNode, isFinal, type LogLine } from './operations.js';
import type { RailwayTarget } from './target.js';

interface DeploymentsData {
  deployments: { edges: Array<{ node: DeploymentNode }> };
}

/** The service's deployments in the environment, newest first (Railway's order). */
export async function listDeployments(api: RailwayApi, target: RailwayTarget, first = 20, onlySuccessful = false): Promise<DeploymentNode[]> {
  const input: Record<string, unknown> = { projectId: target.projectId, environmentId: target.environmentId, serviceId: target.serviceId };
  if (onlySuccessful) input.status = { in: ['SUCCESS'] };
  const data = await api.query<DeploymentsData>('deployments', { input, first });
  return data.deployments.edges.map((e) => e.node).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** The deployment serving now: the newest one whose status is SUCCESS. Null on a fresh service. */
export async function liveDeployment(api: RailwayApi, target: RailwayTarget): Promise<DeploymentNode | null> {
  return (await listDeployments(api, target, 1, true))[0] ?? null;
}

export async function getDeployment(api: RailwayApi, id: string): Promise<DeploymentNode> {
  return (await api.query<{ deployment: DeploymentNode }>('deployment', { id })).deployment;
}

export interface PollOptions {
  intervalMs: number;
  deadlineMs: number;
  clock: Clock;
  signal?: AbortSignal;
  /** Told about each status change, e.g. BUILDING -> DEPLOYING. */
  onStatus?: (status: string) => void;
}

export type PollResult = { final: true; status: string; node: DeploymentNode } | { final: false; status: string; reason: 'deadline' | 'aborted' };

/** Polls `deployment(id){status}` until SUCCESS, FAILED, CRASHED, REMOVED or SKIPPED, the deadline, or an abort. */
export async function waitForFinal(api: RailwayApi, id: string, options: PollOptions): Promise<PollResult> {
  const started = options.clock.now();
  let last = '';
  for (;;) {
    if (options.signal?.aborted) return { final: false, status: last || 'unknown', reason: 'aborted' };
    const node = await getDeployment(api, id);
    if (node.status !== last) {
      last = node.status;
      options.onStatus?.(last);
    }
    if (isFinal(node.status)) return { final: true, status: node.status, node };
    const left = options.deadlineMs - (options.clock.now() - started);
    if (left <= 0) return { final: false, status: last, reason: 'deadline' };
    await options.clock.sleep(Math.min(options.intervalMs, left), options.signal);
  }
}

/** The last lines of the build log (a failed build) or the deploy log (anything else), oldest first. */
export async function logTail(api: RailwayApi, id: string, status: string, lines = 20): Promise<string[]> {
  const order: Array<'buildLogs' | 'deploymentLogs'> = status === 'FAILED' ? ['buildLogs', 'deploymentLogs'] : ['deploymentLogs', 'buildLogs'];
  for (const name of order) {
    try {
      const data = await api.query<Record<string, LogLine[]>>(name, { deploymentId: id, limit: lines });
      const found = (data[name] ?? []).slice(-lines).map((l) => l.message.replace(/\s+$/, ''));
      if (found.length > 0) return found.map((l) => `[${name === 'buildLogs' ? 'build' : 'deploy'}] ${l}`);
    } catch {
      // Logs are a courtesy in the summary; their absence must not change the outcome.
    }
  }
  return [];
}
