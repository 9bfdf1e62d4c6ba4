import * as z from 'zod';
import type { ConfigProblem } from './issues.js';

/** `kubernetes:` block (platform: kubernetes). Owned by the Kubernetes platform; see docs/platforms/kubernetes.md. */
export const KubernetesSchema = z
  .strictObject({
    namespace: z.string().min(1).optional().describe('Kubernetes namespace.'),
    service: z.string().min(1).optional().describe('Service that receives traffic.'),
  })
  .describe('Kubernetes platform settings (platform: kubernetes).');

export type RawKubernetes = z.infer<typeof KubernetesSchema>;

export interface KubernetesSettings {
  namespace: string | null;
  service: string | null;
}

export function resolveKubernetes(raw: RawKubernetes | undefined): KubernetesSettings | null {
  if (!raw) return null;
  return { namespace: raw.namespace ?? null, service: raw.service ?? null };
}

/** Cross-field rules for one environment with platform: kubernetes (`at` builds the failing path). */
export function kubernetesProblems(_raw: RawKubernetes | undefined, _at: (key: string) => string): ConfigProblem[] {
  return [];
}
