import { ExitCode, UserError } from '../../errors.js';
import type { KubeClient } from './api.js';
import { type ReleaseSpec, releaseLabels } from './manifests.js';
import { LABELS } from './names.js';
import type { Selector } from './plan.js';
import { listPods } from './pods.js';
import { formatSelector } from './state-report.js';

/** Added to a selector that matches no pod, so that green's pods do not match it either. */
export const HOLD_LABEL = 'shipgate/hold';

/** Set by controllers per ReplicaSet or revision: they distinguish pods, but change when their owner rolls. */
const CONTROLLER_LABELS = new Set(['pod-template-hash', 'controller-revision-hash', 'statefulset.kubernetes.io/pod-name', 'apps.kubernetes.io/pod-index']);

/**
 * The selector the Service is held on while green starts, or null when green's pods cannot match the one it has.
 *
 * On a first release the Service usually selects the app label alone (`app=shop`), which green's pods carry too
 * (with their release label): they would get the users' traffic as soon as they are ready, before the smoke test
 * and the switch. So before green starts, the selector gets one more label that the pods serving now share and
 * green's do not (`pods`: those it matches now): they keep serving, green's cannot match. With no pods, a label no
 * pod carries. A string says why no such selector exists.
 */
export function holdSelector(selector: Selector, release: ReleaseSpec, pods: Array<{ labels: Selector }>): Selector | null | string {
  const green = releaseLabels(release);
  const matchesGreen = Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => green[k] === v);
  if (!matchesGreen || selector[LABELS.release] === release.id) return null;
  if (pods.length === 0) return { ...selector, [HOLD_LABEL]: 'no-pods' };
  const shared = Object.entries(pods[0]!.labels)
    .filter(([k, v]) => !(k in selector) && green[k] !== v && pods.every((p) => p.labels[k] === v))
    .sort(([a], [b]) => Number(CONTROLLER_LABELS.has(a)) - Number(CONTROLLER_LABELS.has(b)) || a.localeCompare(b));
  if (shared.length === 0) return `its ${pods.length} pod(s) share no label besides ${formatSelector(selector)} to keep them apart from green's`;
  const [key, value] = shared[0]!;
  return { ...selector, [key]: value };
}

/** Reads the pods the Service's selector matches now and plans the hold; refuses (exit 3, nothing changed) when none is possible. */
export async function readHold(client: KubeClient, selector: Selector, release: ReleaseSpec): Promise<Selector | null> {
  if (holdSelector(selector, release, []) === null) return null;
  const { namespace, service } = release.settings;
  const pods = (await listPods(client, namespace, selector))
    .filter((p) => !(p.metadata as { deletionTimestamp?: string }).deletionTimestamp)
    .map((p) => ({ name: p.metadata.name, labels: p.metadata.labels ?? {} }));
  const hold = holdSelector(selector, release, pods);
  if (typeof hold !== 'string') return hold;
  const names = pods.slice(0, 3).map((p) => p.name).join(', ') + (pods.length > 3 ? ', …' : '');
  throw new UserError(
    `kubernetes.service: Service ${namespace}/${service} selects ${formatSelector(selector)}, which green's pods match too, so they would get traffic before their smoke test and the switch; ${hold} (${names}). Give those pods a label of their own (e.g. track: legacy), or add one to the Service's selector, and deploy again`,
    ExitCode.precheckFailed,
  );
}
