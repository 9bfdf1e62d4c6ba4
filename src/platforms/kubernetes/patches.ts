/** The patches we send, as data: JSON patches (with `test` guards) and the Argo Rollouts plugin's merge patches. */

export const JSON_PATCH = 'application/json-patch+json';
export const MERGE_PATCH = 'application/merge-patch+json';

export interface PatchAction {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
  subresource?: 'status';
  type: typeof JSON_PATCH | typeof MERGE_PATCH;
  body: unknown;
  /** When and why it is sent, shown above it in --dry-run. */
  purpose: string;
}

type Selector = Record<string, string>;

/** Moves the Service to `to`; the `test` op makes the API answer 422 when someone else changed the selector since we read it. */
export function selectorPatch(service: { name: string; namespace: string }, from: Selector, to: Selector, purpose: string): PatchAction {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    name: service.name,
    namespace: service.namespace,
    type: JSON_PATCH,
    body: [
      { op: 'test', path: '/spec/selector', value: from },
      { op: 'replace', path: '/spec/selector', value: to },
    ],
    purpose,
  };
}

/** Scales a release's Deployment (0 retires blue after the delay; n brings a previous release back for a rollback). */
export function scalePatch(deployment: { name: string; namespace: string }, replicas: number, slot: string, purpose: string): PatchAction {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    name: deployment.name,
    namespace: deployment.namespace,
    type: JSON_PATCH,
    body: [
      { op: 'replace', path: '/spec/replicas', value: replicas },
      { op: 'add', path: '/metadata/labels/slot', value: slot },
    ],
    purpose,
  };
}

export function slotPatch(deployment: { name: string; namespace: string }, slot: string, purpose: string): PatchAction {
  return { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.name, namespace: deployment.namespace, type: JSON_PATCH, body: [{ op: 'add', path: '/metadata/labels/slot', value: slot }], purpose };
}

// The kubectl-argo-rollouts plugin's patches (pkg/kubectl-argo-rollouts/cmd/promote and abort): merge patches,
// status first through the status subresource, falling back to the object itself when that is not served.
export const ARGO_UNPAUSE = { spec: { paused: false } };
export const ARGO_CLEAR_PAUSE = { status: { pauseConditions: null } };
export const ARGO_ABORT = { status: { abort: true } };

export function rolloutStatusPatch(rollout: { name: string; namespace: string }, body: unknown, purpose: string): PatchAction {
  return { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: rollout.name, namespace: rollout.namespace, subresource: 'status', type: MERGE_PATCH, body, purpose };
}

export function rolloutSpecPatch(rollout: { name: string; namespace: string }, body: unknown, purpose: string): PatchAction {
  return { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: rollout.name, namespace: rollout.namespace, type: MERGE_PATCH, body, purpose };
}
