import { MANAGED_BY, canaryServiceName } from './names.js';
import type { KubeObject, ReleaseSpec } from './manifests.js';
import { releaseLabels } from './manifests.js';
import { JSON_PATCH, type PatchAction } from './patches.js';

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

/** Weighted canary through the Gateway API: a Service for green, then one guarded patch of the route per step. */
export interface GatewayCanaryPlan {
  route: { name: string; namespace: string };
  canaryService: KubeObject;
  percents: number[];
  /** Step i moves the route from weights of step i-1 (the original refs for i = 0) to `percents[i]`. */
  steps: PatchAction[];
  /** From the refs of step i back to the original ones (after the selector switch, or on a failed step). */
  restore: (afterStep: number) => PatchAction;
}

const isStable = (ref: BackendRef, service: string, ns: string) => (ref.kind ?? 'Service') === 'Service' && (ref.group ?? '') === '' && ref.name === service && (ref.namespace ?? ns) === ns;

/** Null when no rule of the route sends traffic to the stable Service (nothing to split). */
export function planGatewayCanary(release: ReleaseSpec, stable: ServiceView, route: RouteView, percents: number[]): GatewayCanaryPlan | null {
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
  return {
    route: { name: route.metadata.name, namespace: ns },
    canaryService: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: canary, namespace: ns, labels: { ...releaseLabels(release), ...MANAGED_BY } },
      spec: { selector: releaseLabels(release), ports },
    },
    percents,
    steps: percents.map((p, i) => patch(i - 1, refsAt(i), `canary step ${i + 1}: ${p}% of the route to ${canary} (green), if the previous step passed`)),
    restore: (afterStep) => patch(afterStep, refsAt(-1), afterStep === percents.length - 1 ? 'after the Service selector moved to green: the route back to the Service alone' : 'if a step fails: the route back to the Service alone (blue)'),
  };
}
