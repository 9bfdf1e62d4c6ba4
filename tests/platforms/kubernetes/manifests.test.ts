/**
 * Every manifest and patch we generate, validated offline: kubernetes-models (Deployment, Secret), the Argo
 * Rollouts models (Rollout), plus our own strict check that we emit no unknown field, because those validators
 * accept any extra key. The allow-list below is written from the Kubernetes / Argo API reference, not from our
 * code: a typo such as `readinesProbe` fails here.
 */
import { Rollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout';
import { HTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import { planGatewayCanary, planRatioCanary } from '../../../src/platforms/kubernetes/canary-plan.js';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { KubernetesSettings } from '../../../src/platforms/kubernetes/config.js';
import type { KubeObject, ReleaseSpec } from '../../../src/platforms/kubernetes/manifests.js';
import { HOLD_LABEL, holdSelector } from '../../../src/platforms/kubernetes/hold.js';
import { planDeployment, planRollout } from '../../../src/platforms/kubernetes/plan.js';
import { REDACTED, renderPlan } from '../../../src/platforms/kubernetes/render.js';

const settings: KubernetesSettings = {
  context: null,
  namespace: 'shop-prod',
  image: 'registry.example/shop:${commit}',
  replicas: 3,
  port: 8080,
  service: 'shop',
  gateway: null,
  argoRollouts: false,
  scaleDownDelayMs: 30_000,
  smokeVia: 'port-forward',
};

const release = (over: Partial<ReleaseSpec> = {}): ReleaseSpec => ({
  app: 'Shop_API',
  environment: 'production',
  id: '20261127-061500-abc1234',
  commit: 'abc1234'.padEnd(40, '0'),
  image: `registry.example/shop:${'abc1234'.padEnd(40, '0')}`,
  healthPath: '/healthz',
  settings,
  env: { DATABASE_URL: 'postgres://u:hunter22@db/shop', SESSION_SECRET: 's3cr3t-value' },
  ...over,
});

// ---- strict allow-list, from the API reference ----------------------------------------------------------------
type Shape = { [key: string]: Shape | 'leaf' | 'map' | [Shape | 'leaf'] };
const objectMeta: Shape = { name: 'leaf', namespace: 'leaf', labels: 'map', annotations: 'map' };
const probe: Shape = { httpGet: { path: 'leaf', port: 'leaf', scheme: 'leaf' }, periodSeconds: 'leaf', timeoutSeconds: 'leaf', failureThreshold: 'leaf', successThreshold: 'leaf', initialDelaySeconds: 'leaf' };
const container: Shape = {
  name: 'leaf',
  image: 'leaf',
  ports: [{ name: 'leaf', containerPort: 'leaf', protocol: 'leaf' }],
  env: [{ name: 'leaf', value: 'leaf', valueFrom: { secretKeyRef: { name: 'leaf', key: 'leaf' } } }],
  envFrom: [{ secretRef: { name: 'leaf' }, prefix: 'leaf' }],
  readinessProbe: probe,
  livenessProbe: probe,
};
const podTemplate: Shape = { metadata: objectMeta, spec: { containers: [container] } };
const SHAPES: Record<string, Shape> = {
  Deployment: { apiVersion: 'leaf', kind: 'leaf', metadata: objectMeta, spec: { replicas: 'leaf', selector: { matchLabels: 'map' }, progressDeadlineSeconds: 'leaf', template: podTemplate } },
  Secret: { apiVersion: 'leaf', kind: 'leaf', metadata: objectMeta, type: 'leaf', data: 'map' },
  Rollout: {
    apiVersion: 'leaf',
    kind: 'leaf',
    metadata: objectMeta,
    spec: {
      replicas: 'leaf',
      revisionHistoryLimit: 'leaf',
      selector: { matchLabels: 'map' },
      template: podTemplate,
      strategy: { blueGreen: { activeService: 'leaf', previewService: 'leaf', autoPromotionEnabled: 'leaf', scaleDownDelaySeconds: 'leaf' } },
    },
  },
  Service: { apiVersion: 'leaf', kind: 'leaf', metadata: objectMeta, spec: { selector: 'map', ports: [{ name: 'leaf', port: 'leaf', targetPort: 'leaf', protocol: 'leaf' }] } },
  BackendRef: { group: 'leaf', kind: 'leaf', name: 'leaf', namespace: 'leaf', port: 'leaf', weight: 'leaf' },
  // The parts of the objects our patches write.
  ServicePatch: { spec: { selector: 'map' } },
  DeploymentPatch: { spec: { replicas: 'leaf' }, metadata: { labels: 'map' } },
  RolloutPatch: { spec: { paused: 'leaf' }, status: { pauseConditions: 'leaf', abort: 'leaf' } },
};

function unknownFields(value: unknown, shape: Shape | 'leaf' | 'map' | [Shape | 'leaf'], at = ''): string[] {
  if (shape === 'leaf' || shape === 'map') return [];
  if (Array.isArray(shape)) return Array.isArray(value) ? value.flatMap((v, i) => unknownFields(v, shape[0], `${at}[${i}]`)) : [`${at}: expected a list`];
  if (!value || typeof value !== 'object') return [`${at}: expected an object`];
  return Object.entries(value).flatMap(([k, v]) => (k in shape ? unknownFields(v, shape[k]!, `${at}.${k}`) : [`${at}.${k}`]));
}

/** A JSON patch path's target shape, walked from the root of the patched kind. */
function patchPathKnown(kind: string, path: string): boolean {
  let shape: Shape | 'leaf' | 'map' | [Shape | 'leaf'] = SHAPES[`${kind}Patch`]!;
  for (const part of path.split('/').slice(1)) {
    if (shape === 'map') return true;
    if (shape === 'leaf' || Array.isArray(shape) || !(part in shape)) return false;
    shape = shape[part]!;
  }
  return true;
}

function validateObject(o: KubeObject): void {
  const model = { Deployment, Secret, Rollout, Service }[o.kind as 'Deployment'];
  expect(model, `no model for ${o.kind}`).toBeDefined();
  expect(() => new model(o as never).validate()).not.toThrow();
  expect(unknownFields(o, SHAPES[o.kind]!)).toEqual([]);
}

describe('generated manifests validate offline and carry no unknown fields', () => {
  const plan = planDeployment(release(), { app: 'shop-api', release: '20261126-101010-0ffee00' });

  it('validates the Deployment and the Secret with kubernetes-models and the strict allow-list', () => {
    validateObject(plan.deployment);
    validateObject(plan.secret!);
  });

  it('validates the Argo Rollouts Rollout (blueGreen, activeService/previewService, autoPromotionEnabled: false)', () => {
    const rollout = planRollout(release({ settings: { ...settings, argoRollouts: true } }));
    validateObject(rollout.rollout);
    expect((rollout.rollout.spec as any).strategy.blueGreen).toEqual({ activeService: 'shop', previewService: 'shop-preview', autoPromotionEnabled: false, scaleDownDelaySeconds: 30 });
    for (const p of [rollout.promote.unpause, rollout.promote.clearPause, rollout.abort]) {
      expect(unknownFields(p.body, SHAPES.RolloutPatch!)).toEqual([]);
    }
  });

  it('the strict check catches a typo the models let through', () => {
    const typo = structuredClone(plan.deployment) as any;
    typo.spec.template.spec.containers[0].readinesProbe = typo.spec.template.spec.containers[0].readinessProbe;
    expect(() => new Deployment(typo).validate()).not.toThrow();
    expect(unknownFields(typo, SHAPES.Deployment!)).toEqual(['.spec.template.spec.containers[0].readinesProbe']);
  });

  it('JSON patches only touch known fields and guard the selector with a test op', () => {
    for (const p of [plan.switchTo, plan.switchBack, plan.markGreen, plan.retireBlue!]) {
      expect(p.type).toBe('application/json-patch+json');
      for (const op of p.body as Array<{ op: string; path: string }>) expect(patchPathKnown(p.kind, op.path), `${p.kind} ${op.path}`).toBe(true);
    }
    expect(plan.switchTo.body).toEqual([
      { op: 'test', path: '/spec/selector', value: { app: 'shop-api', release: '20261126-101010-0ffee00' } },
      { op: 'replace', path: '/spec/selector', value: { app: 'shop-api', release: '20261127-061500-abc1234' } },
    ]);
  });

  it('labels green app/release/slot, probes the health path, and keeps secret values out of the pod spec', () => {
    const d = plan.deployment as any;
    expect(d.metadata).toMatchObject({ name: 'shop-api-20261127-061500-abc1234', namespace: 'shop-prod', labels: { app: 'shop-api', release: '20261127-061500-abc1234', slot: 'green' } });
    expect(d.spec.selector.matchLabels).toEqual({ app: 'shop-api', release: '20261127-061500-abc1234' });
    const c = d.spec.template.spec.containers[0];
    expect(c.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(c.envFrom).toEqual([{ secretRef: { name: 'shop-api-20261127-061500-abc1234-env' } }]);
    expect(JSON.stringify(d)).not.toContain('hunter22');
    expect(JSON.stringify(d)).not.toContain('s3cr3t-value');
    expect((plan.secret as any).data.SESSION_SECRET).toBe(Buffer.from('s3cr3t-value').toString('base64'));
  });

  it('renders one YAML document per object and patch, with Secret values redacted', () => {
    const docs = renderPlan(plan);
    expect(docs).toHaveLength(6);
    for (const doc of docs) expect(() => parse(doc)).not.toThrow();
    const text = docs.join('\n');
    expect(text).not.toContain('hunter22');
    expect(text).not.toContain(Buffer.from('s3cr3t-value').toString('base64'));
    expect(parse(docs[0]!).data).toEqual({ DATABASE_URL: REDACTED, SESSION_SECRET: REDACTED });
    expect(parse(docs[1]!)).toEqual(plan.deployment);
  });

  it('canary: the green Service and every HTTPRoute patch validate (gateway-api v1 model) with known fields only', () => {
    const route = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'shop', namespace: 'shop-prod' }, spec: { parentRefs: [{ name: 'public' }], rules: [{ backendRefs: [{ name: 'shop', port: 80 }] }, { backendRefs: [{ name: 'docs', port: 80 }] }] } };
    const stable = { spec: { ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] } };
    const canary = planGatewayCanary(release(), stable, route, [10, 50])!;
    validateObject(canary.create[0]!);
    const patches = [...canary.steps.flat(), ...canary.afterSwitch(1)];
    expect(canary.restore(1)).toEqual(canary.afterSwitch(1).map((p) => ({ ...p, purpose: expect.any(String) })));
    expect(canary.restore(-1)).toEqual([]);
    let doc: any = structuredClone(route);
    for (const p of patches) {
      for (const op of p.body as Array<{ op: string; path: string; value: any }>) {
        expect(op.path).toBe('/spec/rules/0/backendRefs');
        if (op.op === 'test') expect(doc.spec.rules[0].backendRefs).toEqual(op.value);
        else doc = { ...doc, spec: { ...doc.spec, rules: [{ backendRefs: op.value }, doc.spec.rules[1]] } };
      }
      expect(() => new HTTPRoute(doc).validate()).not.toThrow();
      for (const ref of doc.spec.rules[0].backendRefs) expect(unknownFields(ref, SHAPES.BackendRef!)).toEqual([]);
    }
    expect((canary.steps[1]![0]!.body as any[])[1].value).toEqual([{ name: 'shop', port: 80, weight: 50 }, { name: 'shop-canary', port: 80, weight: 50 }]);
    expect(doc).toEqual(route);
    expect(planGatewayCanary(release(), stable, { ...route, spec: { rules: [{ backendRefs: [{ name: 'other' }] }] } }, [10])).toBeNull();
  });

  it('replica-ratio canary: blue keeps its replicas, green grows per step, the Service selects both, then green alone', () => {
    const blueSel = { app: 'shop-api', release: '20261126-101010-0ffee00' };
    const ratio = planRatioCanary(release(), blueSel, [10, 50]);
    const withCanary = planDeployment(release(), blueSel, ratio);
    expect(ratio.notes[0]).toMatch(/approximate split by replica ratio: 1 green pod\(s\) beside 3 blue \(25% of pods\)/);
    expect(ratio.steps.map((patches) => patches.map((p) => [p.kind, (p.body as any[]).find((o) => o.op === 'replace').value]))).toEqual([
      [['Deployment', 1], ['Service', { app: 'shop-api' }]],
      [['Deployment', 3]],
    ]);
    expect(withCanary.switchTo.body).toEqual([
      { op: 'test', path: '/spec/selector', value: { app: 'shop-api' } },
      { op: 'replace', path: '/spec/selector', value: { app: 'shop-api', release: '20261127-061500-abc1234' } },
    ]);
    expect((ratio.restore(0)[0]!.body as any[])[1].value).toEqual(blueSel);
    for (const p of [...ratio.steps.flat(), ...ratio.restore(1), ...ratio.beforeSwitch]) {
      for (const op of p.body as Array<{ path: string }>) expect(patchPathKnown(p.kind, op.path), `${p.kind} ${op.path}`).toBe(true);
    }
    expect(renderPlan(withCanary).length).toBe(2 + 3 + 1 + 1 + 3 + 1);
  });

  it('a first deploy onto a Service that selects pods we did not create has no blue to retire, and switching back restores its selector', () => {
    const first = planDeployment(release(), { app: 'legacy-shop' });
    expect(first.blue).toBeNull();
    expect(first.retireBlue).toBeNull();
    expect((first.switchBack.body as Array<{ value: unknown }>)[1]!.value).toEqual({ app: 'legacy-shop' });
  });

  it('a first deploy onto a Service whose selector green matches is held off green first: on a label the pods serving now share, or on one no pod has', () => {
    const app = { app: 'shop-api' };
    const r = release();
    // Blue is selected by its release, and a Service without a selector selects no pod: nothing to hold.
    expect(holdSelector({ ...app, release: '20261126-101010-0ffee00' }, r, [])).toBeNull();
    expect(holdSelector({}, r, [])).toBeNull();
    expect(holdSelector({ app: 'legacy-shop' }, r, [])).toBeNull();
    expect(holdSelector({ ...app, release: r.id }, r, [])).toBeNull();
    expect(holdSelector(app, r, [])).toEqual({ ...app, [HOLD_LABEL]: 'no-pods' });
    // A label of their own beats one a controller sets per revision; a release label with another value is theirs.
    const legacy = { ...app, 'pod-template-hash': '6d4cf56db9', track: 'legacy' };
    expect(holdSelector(app, r, [{ labels: legacy }, { labels: legacy }])).toEqual({ ...app, track: 'legacy' });
    expect(holdSelector(app, r, [{ labels: { ...app, 'pod-template-hash': '6d4cf56db9' } }])).toEqual({ ...app, 'pod-template-hash': '6d4cf56db9' });
    expect(holdSelector(app, r, [{ labels: { ...app, release: 'v1' } }])).toEqual({ ...app, release: 'v1' });
    expect(holdSelector(app, r, [{ labels: { ...app, track: 'a' } }, { labels: { ...app, track: 'b' } }])).toMatch(/share no label besides app=shop-api/);

    const held = { ...app, track: 'legacy' };
    const plan = planDeployment(r, app, null, held);
    const bodies = (p: { body: unknown }) => (p.body as Array<{ value: unknown }>).map((op) => op.value);
    expect(bodies(plan.hold!.patch)).toEqual([app, held]);
    expect(bodies(plan.switchTo)).toEqual([held, { app: 'shop-api', release: r.id }]);
    expect(bodies(plan.switchBack)).toEqual([{ app: 'shop-api', release: r.id }, app]);
    expect(bodies(plan.hold!.release)).toEqual([held, app]);
    // --dry-run: the hold first, then the Secret and green; letting go after the switch back.
    const docs = renderPlan(plan).map((d) => parse(d));
    expect(docs[0].patch.body[1].value).toEqual(held);
    expect(docs[1].kind).toBe('Secret');
    expect(docs[2].kind).toBe('Deployment');
    expect(docs.at(-2).patch.body[1].value).toEqual(app);
  });
});
