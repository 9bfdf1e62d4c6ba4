import type { PlatformSpec } from '../spec.js';
import { KubernetesSchema, kubernetesProblems, resolveKubernetes, type KubernetesSettings, type RawKubernetes } from './config.js';
import { kubernetesPlanSteps } from './plan-steps.js';

/** A Deployment per release behind the Service's selector, or an Argo Rollout (docs/platforms/kubernetes.md). */
export const kubernetes: PlatformSpec<'kubernetes', RawKubernetes, KubernetesSettings | null> = {
  name: 'kubernetes',
  // Weights only through a Gateway route; without one a canary follows replica ratios and says it is approximate.
  capabilities: { strategies: ['blue-green', 'canary'], weights: false, manifests: true, remote: true, warmSwitchBack: false, ownRouter: false },
  requires: [],
  section: { schema: KubernetesSchema, resolve: resolveKubernetes, problems: kubernetesProblems },
  approximations: (config) =>
    config.strategy === 'canary' && !config.kubernetes?.gateway ? ['no kubernetes.gateway.route: the canary split follows replica ratios and only approximates each percentage'] : [],
  planSteps: (config, kind, input) => kubernetesPlanSteps(config, kind, input.to, input.current),
  // The scale-down delay, and a replica-ratio canary waits for readiness once more per step.
  extraDeadlineMs: (config) => {
    const k = config.kubernetes;
    if (!k) return 0;
    return k.scaleDownDelayMs + (config.strategy === 'canary' && !k.gateway ? config.canary.steps.length * config.health.timeoutMs : config.health.timeoutMs);
  },
  driver: () => import('./driver.js'),
  preChecks: () => import('./pre-checks.js'),
};
