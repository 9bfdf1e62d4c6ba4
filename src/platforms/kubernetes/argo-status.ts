import { KubeApiError, type KubeClient, patchPath } from './api.js';
import { sendPatch } from './apply.js';
import type { PatchAction } from './patches.js';
import { isReady, listPods, stuckPod } from './pods.js';
import type { WaitOptions } from './wait-ready.js';

/** The label the Argo Rollouts controller puts on each ReplicaSet's pods. */
export const HASH_LABEL = 'rollouts-pod-template-hash';

export interface RolloutView {
  spec?: { paused?: boolean };
  status?: {
    currentPodHash?: string;
    stableRS?: string;
    /** The controller writes the generation it acted on, as a string. */
    observedGeneration?: string | number;
    phase?: string;
    message?: string;
    pauseConditions?: Array<{ reason?: string }> | null;
    blueGreen?: { activeSelector?: string; previewSelector?: string };
  };
}

/** `active`: the very first revision, which the controller makes active by itself. */
export type PreviewResult = { ok: true; hash: string; active: boolean; detail: string } | { ok: false; detail: string; stuck: boolean };

/**
 * Until the controller reports the new pod hash paused for promotion (or, first revision, already active); a stuck
 * pod or a Degraded Rollout fails at once.
 */
export async function waitPreview(client: KubeClient, path: string, ns: string, generation: string, options: WaitOptions): Promise<PreviewResult> {
  const started = options.clock.now();
  let last = 'no status yet';
  for (;;) {
    const s = (await client.request<RolloutView>('GET', path)).status ?? {};
    const hash = s.currentPodHash;
    // Until the controller has seen our template, the status still describes the previous one.
    if (hash && (!generation || String(s.observedGeneration ?? '') === generation)) {
      const pods = await listPods(client, ns, { [HASH_LABEL]: hash });
      const stuck = stuckPod(pods);
      if (stuck) return { ok: false, detail: stuck, stuck: true };
      if (s.phase === 'Degraded') return { ok: false, detail: `Rollout degraded: ${s.message ?? 'no message'}`, stuck: true };
      last = `${pods.filter(isReady).length}/${pods.length} pods of ${hash} ready`;
      if (s.stableRS === hash && s.blueGreen?.activeSelector === hash) return { ok: true, hash, active: true, detail: `${last} (first revision, active)` };
      if (s.blueGreen?.previewSelector === hash && (s.pauseConditions ?? []).some((c) => c.reason === 'BlueGreenPause')) return { ok: true, hash, active: false, detail: `${last}, paused for promotion` };
    }
    if (options.clock.now() - started >= options.deadlineMs) return { ok: false, detail: `not ready within ${options.deadlineMs} ms (${last})`, stuck: false };
    if (options.signal.aborted) return { ok: false, detail: `interrupted (${last})`, stuck: false };
    await options.clock.sleep(options.intervalMs, options.signal);
  }
}

/** Until the active Service and the stable ReplicaSet are `hash`'s; false at the deadline. */
export async function waitPromoted(client: KubeClient, path: string, hash: string, options: WaitOptions): Promise<boolean> {
  const started = options.clock.now();
  for (;;) {
    const s = (await client.request<RolloutView>('GET', path)).status;
    if (s?.blueGreen?.activeSelector === hash && s.stableRS === hash) return true;
    if (options.clock.now() - started >= options.deadlineMs || options.signal.aborted) return false;
    await options.clock.sleep(options.intervalMs, options.signal);
  }
}

/** The plugin's order: the status subresource first; a 404 means the CRD has none (Rollouts v0.9), so patch the object. */
export async function patchWithFallback(client: KubeClient, patch: PatchAction, unified: unknown = patch.body): Promise<void> {
  try {
    await sendPatch(client, patch);
  } catch (error) {
    if (!(error instanceof KubeApiError) || error.status !== 404 || !patch.subresource) throw error;
    await client.request('PATCH', patchPath({ ...patch, subresource: undefined }), unified, patch.type);
  }
}
