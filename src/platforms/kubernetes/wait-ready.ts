import type { Clock } from '../../verify/clock.js';
import { type KubeClient, resourcePath } from './api.js';
import { listPods, stuckPod } from './pods.js';

export interface DeploymentStatusView {
  metadata: { generation?: number };
  spec?: { replicas?: number };
  status?: { observedGeneration?: number; replicas?: number; updatedReplicas?: number; readyReplicas?: number; availableReplicas?: number };
}

export interface WaitOptions {
  deadlineMs: number;
  intervalMs: number;
  clock: Clock;
  signal: AbortSignal;
}

export type WaitResult = { ok: true; detail: string } | { ok: false; detail: string; stuck: boolean };

/** Ready as `kubectl rollout status` means it: the controller saw this generation and every replica is updated, ready and available. */
export function deploymentReady(d: DeploymentStatusView): { ready: boolean; detail: string } {
  const want = d.spec?.replicas ?? 1;
  const s = d.status ?? {};
  const observed = (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 1);
  const ready = observed && (s.updatedReplicas ?? 0) >= want && (s.readyReplicas ?? 0) >= want && (s.availableReplicas ?? 0) >= want;
  return { ready, detail: `${s.readyReplicas ?? 0}/${want} ready, ${s.availableReplicas ?? 0} available${observed ? '' : ', not yet observed'}` };
}

/**
 * Polls the Deployment and its pods until every replica is ready, a pod is stuck (CrashLoopBackOff,
 * ImagePullBackOff...) or the deadline passes.
 */
export async function waitDeploymentReady(client: KubeClient, namespace: string, name: string, podSelector: Record<string, string>, options: WaitOptions): Promise<WaitResult> {
  const started = options.clock.now();
  let last = 'no status yet';
  for (;;) {
    if (options.signal.aborted) return { ok: false, detail: `interrupted (${last})`, stuck: false };
    const d = await client.request<DeploymentStatusView>('GET', resourcePath('apps/v1', 'Deployment', namespace, name));
    const state = deploymentReady(d);
    last = state.detail;
    const elapsed = Math.round(options.clock.now() - started);
    if (state.ready) return { ok: true, detail: `${state.detail} after ${elapsed} ms` };
    const stuck = stuckPod(await listPods(client, namespace, podSelector));
    if (stuck) return { ok: false, detail: stuck, stuck: true };
    if (elapsed >= options.deadlineMs) return { ok: false, detail: `not ready within ${options.deadlineMs} ms (${last})`, stuck: false };
    await options.clock.sleep(Math.min(options.intervalMs, Math.max(1, options.deadlineMs - elapsed)), options.signal);
  }
}
