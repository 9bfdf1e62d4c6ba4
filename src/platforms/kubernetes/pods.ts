import type { Clock } from '../../verify/clock.js';
import type { KubeClient } from './api.js';
import { resourcePath } from './api.js';

/** The pod fields we read. */
export interface Pod {
  metadata: { name: string; labels?: Record<string, string> };
  status?: {
    phase?: string;
    podIP?: string;
    conditions?: Array<{ type: string; status: string }>;
    containerStatuses?: Array<{ name: string; ready?: boolean; restartCount?: number; state?: { waiting?: { reason?: string; message?: string } } }>;
  };
}

/**
 * Waiting reasons that will not fix themselves: report them at once instead of waiting for the progress deadline
 * (kubernetes/kubectl#738).
 */
export const FAIL_FAST_REASONS = new Set(['CrashLoopBackOff', 'ImagePullBackOff', 'ErrImagePull', 'InvalidImageName', 'CreateContainerConfigError', 'CreateContainerError', 'ErrImageNeverPull']);

export function selectorQuery(selector: Record<string, string>): string {
  return encodeURIComponent(Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(','));
}

export async function listPods(client: KubeClient, namespace: string, selector: Record<string, string>): Promise<Pod[]> {
  const list = await client.request<{ items?: Pod[] }>('GET', `${resourcePath('v1', 'Pod', namespace)}?labelSelector=${selectorQuery(selector)}`);
  return list.items ?? [];
}

/** "pod shop-1-abc: CrashLoopBackOff (3 restarts): back-off 40s restarting failed container" or null. */
export function stuckPod(pods: Pod[]): string | null {
  for (const pod of pods) {
    for (const c of pod.status?.containerStatuses ?? []) {
      const reason = c.state?.waiting?.reason;
      if (reason && FAIL_FAST_REASONS.has(reason)) {
        const restarts = c.restartCount ? ` (${c.restartCount} restart${c.restartCount === 1 ? '' : 's'})` : '';
        const message = c.state?.waiting?.message ? `: ${c.state.waiting.message.split('\n')[0]}` : '';
        return `pod ${pod.metadata.name}: ${reason}${restarts}${message}`;
      }
    }
  }
  return null;
}

export function isReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** A ready pod matching `selector`, as a tunnel reaches it; null when none is ready. */
export async function readyPod(client: KubeClient, namespace: string, selector: Record<string, string>, port: number): Promise<{ namespace: string; name: string; ip: string | null; port: number } | null> {
  const pod = (await listPods(client, namespace, selector)).find(isReady);
  return pod ? { namespace, name: pod.metadata.name, ip: pod.status?.podIP ?? null, port } : null;
}

/** Polls until no pod matches `selector` (gone, not merely terminating); false when some are left at the deadline. */
export async function waitNoPods(client: KubeClient, namespace: string, selector: Record<string, string>, options: { deadlineMs: number; intervalMs: number; clock: Clock }): Promise<boolean> {
  const started = options.clock.now();
  for (;;) {
    if ((await listPods(client, namespace, selector)).length === 0) return true;
    const elapsed = options.clock.now() - started;
    if (elapsed >= options.deadlineMs) return false;
    await options.clock.sleep(Math.min(options.intervalMs, Math.max(1, options.deadlineMs - elapsed)));
  }
}
