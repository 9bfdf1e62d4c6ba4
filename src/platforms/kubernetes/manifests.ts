import type { KubernetesSettings } from './config.js';
import { LABELS, MANAGED_BY, appLabel, deploymentName, previewServiceName, rolloutName, secretName } from './names.js';

/** A Kubernetes object as we send it: plain JSON, nothing the API would reject as unknown. */
export type KubeObject = { apiVersion: string; kind: string; metadata: { name: string; namespace: string; labels?: Record<string, string> } } & Record<string, unknown>;

/** What one release needs to know to be rendered. */
export interface ReleaseSpec {
  app: string;
  environment: string;
  id: string;
  commit: string | null;
  image: string;
  healthPath: string;
  settings: KubernetesSettings;
  /** The environment's variables (secret): they go into the release's Secret, never into the pod spec. */
  env: Record<string, string>;
}

export function releaseLabels(r: ReleaseSpec): Record<string, string> {
  return { [LABELS.app]: appLabel(r.app), [LABELS.release]: r.id };
}

/** The release's Secret: the environment's variables, base64 in `data`. Null when there are none. */
export function secretManifest(r: ReleaseSpec): KubeObject | null {
  const names = Object.keys(r.env).sort();
  if (names.length === 0) return null;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: secretName(r.app, r.id), namespace: r.settings.namespace, labels: { ...releaseLabels(r), ...MANAGED_BY } },
    type: 'Opaque',
    data: Object.fromEntries(names.map((n) => [n, Buffer.from(r.env[n]!, 'utf8').toString('base64')])),
  };
}

/** The pod template: image, port, readiness on our health path, variables from the Secret, identity as plain env. */
export function podTemplate(r: ReleaseSpec): Record<string, unknown> {
  const { settings } = r;
  const container: Record<string, unknown> = {
    name: 'app',
    image: r.image,
    ports: [{ name: 'http', containerPort: settings.port, protocol: 'TCP' }],
    env: [
      { name: 'PORT', value: String(settings.port) },
      { name: 'RELEASE_ID', value: r.id },
      { name: 'DEPLOY_RELEASE', value: r.id },
      { name: 'DEPLOY_COMMIT', value: r.commit ?? '' },
      { name: 'DEPLOY_ENVIRONMENT', value: r.environment },
    ],
    readinessProbe: { httpGet: { path: r.healthPath, port: 'http' }, periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 3, successThreshold: 1 },
  };
  if (Object.keys(r.env).length > 0) container.envFrom = [{ secretRef: { name: secretName(r.app, r.id) } }];
  return { metadata: { labels: releaseLabels(r) }, spec: { containers: [container] } };
}

/** Green: a Deployment named after the release, labelled app, release and slot. */
export function deploymentManifest(r: ReleaseSpec): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: deploymentName(r.app, r.id), namespace: r.settings.namespace, labels: { ...releaseLabels(r), [LABELS.slot]: 'green', ...MANAGED_BY } },
    spec: {
      replicas: r.settings.replicas,
      selector: { matchLabels: releaseLabels(r) },
      // Our own deadline decides; this one only makes `kubectl rollout status` agree.
      progressDeadlineSeconds: 600,
      template: podTemplate(r),
    },
  };
}

/** Argo Rollouts mode: one Rollout per app; each release changes its template (blueGreen, promoted by us). */
export function rolloutManifest(r: ReleaseSpec): KubeObject {
  const { settings } = r;
  const selector = { [LABELS.app]: appLabel(r.app) };
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: rolloutName(r.app), namespace: settings.namespace, labels: { ...selector, ...MANAGED_BY } },
    spec: {
      replicas: settings.replicas,
      revisionHistoryLimit: 3,
      selector: { matchLabels: selector },
      template: podTemplate(r),
      strategy: {
        blueGreen: {
          activeService: settings.service,
          previewService: previewServiceName(settings.service),
          autoPromotionEnabled: false,
          scaleDownDelaySeconds: Math.round(settings.scaleDownDelayMs / 1000),
        },
      },
    },
  };
}
