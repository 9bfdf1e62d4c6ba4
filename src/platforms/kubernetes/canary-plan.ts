import { LABELS, MANAGED_BY, appLabel, canaryServiceName, deploymentName } from './names.js';
import type { KubeObject, ReleaseSpec } from './manifests.js';
import { releaseLabels } from './manifests.js';
import { JSON_PATCH, type PatchAction, scalePatch, selectorPatch } from './patches.js';

/** An HTTPRoute backendRef as the Gateway API defines it (gateway.networking.k8s.io/v1). */
export interface BackendRef {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
  port?: number;
  weight?: number;
  [key: string]: unknown;
}

export interface RouteView {
  metadata: { name: string; namespace?: string };
  spec?: { rules?: Array<{ backendRefs?: BackendRef[] }> };
}

export interface ServiceView {
  spec?: { ports?: Array<{ name?: string; port: number; targetPort?: number | string; protocol?: string }> };
}

/**
 * A canary as data: what to create, the patches of each step, how to put traffic back after step i, and what to
 * do around the final selector switch. canary-traffic.ts only sends them, when the engine asks for each step.
 */
export interface CanaryPlan {
  kind: 'gateway' | 'replicas';
  percents: number[];
  /** One line per step for progress, e.g. "approximate split: 1 green pod beside 3 blue (25%)". */
  notes: string[];
  create: KubeObject[];
  steps: PatchAction[][];
  /** Traffic back to blue alone, from where step `afterStep` left it (-1: nothing was changed yet). */
  restore: (afterStep: number) => PatchAction[];
  /** Before the Service moves to green (replica ratios: green back to full size; the flow waits until ready). */
  beforeSwitch: PatchAction[];
  /** After the Service moved to green (Gateway: the route back to the Service alone). */
  afterSwitch: (afterStep: number) => PatchAction[];
  /** The Service's selector while the steps run, when it is not blue's (replica ratios: both releases). */
  sharedSelector: Record<string, string> | null;
}

const isStable = (ref: BackendRef, service: string, ns: string) => (ref.kind ?? 'Service') === 'Service' && (ref.group ?? '') === '' && ref.name === service && (ref.namespace ?? ns) === ns;

/** Null when no rule of the route sends traffic to the stable Service (nothing to split). */
export function planGatewayCanary(release: ReleaseSpec, stable: ServiceView, route: RouteView, percents: number[]): CanaryPlan | null {
  const { namespace: ns, service } = release.settings;
  const canary = canaryServiceName(service);
  const rules = (route.spec?.rules ?? []).map((rule, index) => ({ index, refs: rule.backendRefs ?? [] })).filter((r) => r.refs.some((ref) => isStable(ref, service, ns)));
  if (rules.length === 0) return null;

  const weighted = (refs: BackendRef[], percent: number): BackendRef[] => {
    const others = refs.filter((ref) => !isStable(ref, service, ns) && ref.name !== canary);
    const stableRef = refs.find((ref) => isStable(ref, service, ns))!;
    return [...others, { ...stableRef, weight: 100 - percent }, { ...stableRef, name: canary, weight: percent }];
  };
  const refsAt = (step: number) => rules.map((r) => (step < 0 ? r.refs : weighted(r.refs, percents[step]!)));
  const patch = (fromStep: number, to: BackendRef[][], purpose: string): PatchAction => ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    name: route.metadata.name,
    namespace: ns,
    type: JSON_PATCH,
    body: rules.flatMap((r, i) => [
      { op: 'test', path: `/spec/rules/${r.index}/backendRefs`, value: refsAt(fromStep)[i] },
      { op: 'replace', path: `/spec/rules/${r.index}/backendRefs`, value: to[i] },
    ]),
    purpose,
  });

  const ports = (stable.spec?.ports ?? []).map((p) => ({ ...(p.name ? { name: p.name } : {}), port: p.port, ...(p.targetPort !== undefined ? { targetPort: p.targetPort } : {}), protocol: p.protocol ?? 'TCP' }));
  const back = (afterStep: number, purpose: string) => (afterStep < 0 ? [] : [patch(afterStep, refsAt(-1), purpose)]);
  return {
    kind: 'gateway',
    percents,
    notes: percents.map((p) => `${p}% through HTTPRoute ${route.metadata.name}`),
    create: [
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: canary, namespace: ns, labels: { ...releaseLabels(release), ...MANAGED_BY } },
        spec: { selector: releaseLabels(release), ports },
      },
    ],
    steps: percents.map((p, i) => [patch(i - 1, refsAt(i), `canary step ${i + 1}: ${p}% of the route to ${canary} (green), if the previous step passed`)]),
    restore: (afterStep) => back(afterStep, 'if a step fails: the route back to the Service alone (blue)'),
    beforeSwitch: [],
    afterSwitch: (afterStep) => back(afterStep, 'after the Service selector moved to green: the route back to the Service alone'),
    sharedSelector: null,
  };
}

/**
 * Without a Gateway: replica ratios. Blue keeps all its replicas; green runs g pods beside them and the Service
 * selects both (`{app}`), so green gets about g/(g+R) of the requests: an approximation, said so in the output.
 */
export function planRatioCanary(release: ReleaseSpec, blueSelector: Record<string, string>, percents: number[]): CanaryPlan {
  const { namespace: ns, service, replicas } = release.settings;
  const green = { name: deploymentName(release.app, release.id), namespace: ns };
  const shared = { [LABELS.app]: appLabel(release.app) };
  const svc = { name: service, namespace: ns };
  const pods = percents.map((p) => Math.max(1, Math.round((replicas * p) / (100 - p))));
  return {
    kind: 'replicas',
    percents,
    notes: pods.map((g, i) => `${percents[i]}% asked, approximate split by replica ratio: ${g} green pod(s) beside ${replicas} blue (${Math.round((100 * g) / (g + replicas))}% of pods)`),
    create: [],
    steps: pods.map((g, i) => [
      scalePatch(green, g, 'green', `canary step ${i + 1}: green to ${g} replica(s) beside ${replicas} blue`),
      ...(i === 0 ? [selectorPatch(svc, blueSelector, shared, 'canary: the Service selects both releases (traffic splits by pod count)')] : []),
    ]),
    restore: (afterStep) => (afterStep < 0 ? [] : [selectorPatch(svc, shared, blueSelector, 'if a step fails: the Service back to blue alone')]),
    beforeSwitch: [scalePatch(green, replicas, 'green', `after the last step: green back to ${replicas} replica(s), then wait until ready`)],
    afterSwitch: () => [],
    sharedSelector: shared,
  };
}
