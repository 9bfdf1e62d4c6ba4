import * as z from 'zod';
import { DURATION_MESSAGE, isDuration, parseDuration } from '../../config/duration.js';
import type { ConfigProblem } from '../../config/issues.js';

/** Placeholders the image may hold; filled per release by the Kubernetes driver, not by `${VAR}` interpolation. */
export const IMAGE_PLACEHOLDERS = ['commit', 'release'] as const;
const PLACEHOLDER = /\$\{(commit|release)\}/g;

// `${commit}` and `${release}` are built-in names that interpolation leaves as written (src/config/resolve.ts).
const imageTemplate = z
  .string({ error: 'expected an image reference like "registry/app:${commit}"' })
  .min(1, { error: 'must not be empty' })
  .describe('Image to run, built and pushed by your CI. `${commit}` (full commit SHA of the deployed ref) and `${release}` (release id) are filled in per deploy.');

const name = (description: string) =>
  z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { error: 'expected a Kubernetes name (lowercase letters, digits and -)' })
    .max(63, { error: 'at most 63 characters' })
    .describe(description);

/** `kubernetes:` block (platform: kubernetes). Owned by the Kubernetes platform; see docs/platforms/kubernetes.md. */
export const KubernetesSchema = z
  .strictObject({
    context: z.string().min(1).optional().describe('kubeconfig context to use. Default: the current context of $KUBECONFIG or ~/.kube/config.'),
    namespace: name('Kubernetes namespace the app runs in (must exist).').optional(),
    image: imageTemplate.optional(),
    replicas: z.number().int().min(1).max(1000).default(2).describe('Pods per release.'),
    port: z.number().int().min(1).max(65535).default(3000).describe('Port the container listens on.'),
    service: name('Existing Service whose selector is switched between releases.').optional(),
    gateway: z
      .strictObject({ route: name('HTTPRoute (gateway.networking.k8s.io/v1) whose backendRefs weights carry the canary split.') })
      .optional()
      .describe('Weighted canary through the Gateway API. Without it, strategy: canary splits by replica ratios (an approximate split).'),
    argoRollouts: z.boolean().default(false).describe('Generate an Argo Rollouts `Rollout` (blueGreen, autoPromotionEnabled: false) instead of Deployments; we promote or abort it.'),
    scaleDownDelay: z
      .string({ error: DURATION_MESSAGE })
      .refine(isDuration, { error: DURATION_MESSAGE })
      .default('30s')
      .describe('Wait after a verified switch before scaling the previous release to 0 (endpoint propagation).'),
    smokeVia: z
      .enum(['port-forward', 'pod-ip'])
      .default('port-forward')
      .describe('How green is reached before it gets traffic: a port-forward through the API server, or the pod IP directly when deploy runs inside the cluster.'),
  })
  .describe('Kubernetes platform settings (platform: kubernetes).');

export type RawKubernetes = z.input<typeof KubernetesSchema>;

export interface KubernetesSettings {
  context: string | null;
  namespace: string;
  /** Still holds `${commit}` / `${release}`; see imageFor(). */
  image: string;
  replicas: number;
  port: number;
  service: string;
  gateway: { route: string } | null;
  argoRollouts: boolean;
  scaleDownDelayMs: number;
  smokeVia: 'port-forward' | 'pod-ip';
}

/**
 * The `kubernetes:` section with the schema's defaults (the one place they live). namespace, image and service have
 * none: the section's rules refuse a config without them before anything resolves.
 */
export function resolveKubernetes(raw: RawKubernetes | undefined): KubernetesSettings | null {
  const k = KubernetesSchema.parse(raw ?? {});
  return {
    context: k.context ?? null,
    namespace: k.namespace ?? '',
    image: (k.image ?? '').replaceAll('$${', '${'),
    replicas: k.replicas,
    port: k.port,
    service: k.service ?? '',
    gateway: k.gateway ?? null,
    argoRollouts: k.argoRollouts,
    scaleDownDelayMs: parseDuration(k.scaleDownDelay)!,
    smokeVia: k.smokeVia,
  };
}

/** The image of one release: placeholders filled in. */
export function imageFor(template: string, values: { commit: string; release: string }): string {
  return template.replace(PLACEHOLDER, (_whole, key: 'commit' | 'release') => values[key]);
}

/** Cross-field rules for one environment with platform: kubernetes (`at` builds the failing path). */
export function kubernetesProblems(raw: RawKubernetes | undefined, at: (key: string) => string, settings: { strategy?: string } = {}): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const k = raw ?? {};
  if (!k.namespace) problems.push({ path: at('namespace'), message: 'required for the kubernetes platform' });
  if (!k.image) problems.push({ path: at('image'), message: 'required for the kubernetes platform (e.g. "registry/app:${commit}")' });
  if (!k.service) problems.push({ path: at('service'), message: 'required for the kubernetes platform (the Service whose selector we switch)' });
  if (k.image && !/[:@]/.test(k.image.replace(/^[^/]*:\d+\//, ''))) problems.push({ path: at('image'), message: 'needs a tag or digest, e.g. registry/app:${commit}' });
  if (k.argoRollouts && settings.strategy === 'canary') problems.push({ path: at('argoRollouts'), message: 'strategy canary is not supported with argoRollouts: the Rollout is blue-green' });
  if (k.argoRollouts && k.gateway) problems.push({ path: at('gateway'), message: 'not used with argoRollouts: the Rollout switches its own services' });
  return problems;
}
