import type { ResolvedEnvironment } from '../../config/types.js';
import { formatDuration } from '../../config/duration.js';
import { step, trafficSteps, verifyText, type PlanStep } from '../../rollout/steps.js';

/** What `deploy <env> --dry-run` lists on Kubernetes (pure); the exact objects follow as manifests. */
export function kubernetesPlanSteps(config: ResolvedEnvironment, kind: 'deploy' | 'rollback', to: string | null = null): PlanStep[] {
  const k = config.kubernetes;
  const where = `namespace ${k?.namespace ?? '?'}${k?.context ? ` (context ${k.context})` : ''}`;
  const service = `Service ${k?.service ?? '?'}`;
  const verify = step('verify', verifyText(config, ` through ${config.url || 'a port-forward'}`));
  if (kind === 'rollback') {
    return [
      step('start', `scale ${to ?? 'the previous release'} up in ${where} and wait until ready`),
      step('smoke', 'smoke it through a tunnel before it gets traffic'),
      step('switch', `switch ${service}'s selector to it (JSON patch guarded by a test op)`),
      verify,
      step('retire', `scale the release it replaced down after ${formatDuration(k?.scaleDownDelayMs ?? 0)}`),
      step('switch-back', 'on failure: switch the selector back and verify it', true),
    ];
  }
  if (k?.argoRollouts) {
    return [
      step('start', `apply the Secret and the Rollout (blueGreen, autoPromotionEnabled: false) in ${where}; wait until the preview ReplicaSet is ready (deadline ${formatDuration(config.health.timeoutMs)})`),
      step('smoke', 'smoke the preview through a tunnel to a preview pod'),
      step('verify', verifyText(config, ' through the preview')),
      step('switch', "promote with the kubectl plugin's status patch"),
      step('switch-back', "on failure: abort with the plugin's status patch (traffic back on the stable ReplicaSet)", true),
    ];
  }
  const steps = [
    step('start', `apply the Secret and the green Deployment (${k?.replicas ?? 1} replicas, image ${k?.image ?? '?'}) in ${where}; wait until ready (deadline ${formatDuration(config.health.timeoutMs)}); fail fast on CrashLoopBackOff or ImagePullBackOff`),
    step('smoke', `smoke green through ${k?.smokeVia === 'pod-ip' ? 'the pod IP' : 'a port-forward'} before it gets traffic`),
  ];
  if (config.strategy === 'canary') {
    const through = k?.gateway ? `HTTPRoute ${k.gateway.route} weights` : 'replica ratio';
    steps.push(...trafficSteps(config, through, !k?.gateway).filter((s) => s.id !== 'traffic 100%'));
  }
  steps.push(step('switch', `switch ${service}'s selector ${config.strategy === 'canary' ? 'to green alone' : 'from blue to green'} (JSON patch guarded by a test op)`));
  steps.push(verify);
  steps.push(step('retire', `scale blue down after ${formatDuration(k?.scaleDownDelayMs ?? 0)}`));
  steps.push(step('switch-back', 'on failure: switch the selector back to blue (still scaled up) and verify it', true));
  return steps;
}
