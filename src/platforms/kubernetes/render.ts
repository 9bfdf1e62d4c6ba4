import { stringify } from 'yaml';
import type { KubeObject } from './manifests.js';
import type { PatchAction } from './patches.js';
import type { KubePlan } from './plan.js';

export const REDACTED = '<redacted>';

/** A Secret with its values replaced: what --dry-run prints. The names stay so the user can check them. */
export function redactSecret(secret: KubeObject): KubeObject {
  const data = (secret.data ?? {}) as Record<string, string>;
  return { ...secret, data: Object.fromEntries(Object.keys(data).map((k) => [k, REDACTED])) };
}

function objectDoc(object: KubeObject, purpose: string): string {
  return `# ${purpose}\n${stringify(object.kind === 'Secret' ? redactSecret(object) : object, { lineWidth: 0 })}`;
}

/** A patch as one YAML document: its target, content type and body. */
export function patchDoc(patch: PatchAction): string {
  const target = { apiVersion: patch.apiVersion, kind: patch.kind, namespace: patch.namespace, name: patch.name, ...(patch.subresource ? { subresource: patch.subresource } : {}) };
  return `# ${patch.purpose}\n${stringify({ patch: { target, type: patch.type, body: patch.body } }, { lineWidth: 0 })}`;
}

/** Every object and patch of the plan, in the order a real run sends them; one YAML document each. */
export function renderPlan(plan: KubePlan): string[] {
  const docs: string[] = [];
  if (plan.mode === 'deployment' && plan.hold) docs.push(patchDoc(plan.hold.patch));
  if (plan.secret) docs.push(objectDoc(plan.secret, `create or update: the environment's variables for release ${plan.release.id} (values never printed)`));
  if (plan.mode === 'deployment') {
    docs.push(objectDoc(plan.deployment, `create: green, release ${plan.release.id}`));
    const canary = plan.canary;
    if (canary) {
      for (const object of canary.create) docs.push(objectDoc(object, 'create or update: the Service the route\'s canary backendRef points at (green)'));
      for (const step of canary.steps) for (const patch of step) docs.push(patchDoc(patch));
      for (const patch of canary.restore(canary.steps.length - 1)) docs.push(patchDoc(patch));
      for (const patch of canary.beforeSwitch) docs.push(patchDoc(patch));
    }
    docs.push(patchDoc(plan.switchTo));
    if (canary) for (const patch of canary.afterSwitch(canary.steps.length - 1)) docs.push(patchDoc(patch));
    docs.push(patchDoc(plan.switchBack));
    if (plan.hold) docs.push(patchDoc(plan.hold.release));
    docs.push(patchDoc(plan.markGreen));
    if (plan.retireBlue) docs.push(patchDoc(plan.retireBlue));
  } else {
    docs.push(objectDoc(plan.rollout, `create or update the template: preview of release ${plan.release.id}`));
    docs.push(patchDoc(plan.promote.unpause));
    docs.push(patchDoc(plan.promote.clearPause));
    docs.push(patchDoc(plan.abort));
  }
  return docs;
}
