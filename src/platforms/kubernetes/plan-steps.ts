import type { ResolvedEnvironment } from '../../config/types.js';
import { formatDuration } from '../../config/duration.js';
import { step, trafficSteps, verifyText, type PlanStep } from '../../rollout/steps.js';

/**
 * What `deploy <env> --dry-run` lists on Kubernetes (pure); the exact objects follow as manifests. The rollout
 * engine executes these steps (src/rollout/), through the target in rollout-target.ts (Argo Rollouts: argo-target.ts).
 * `current` is the release serving now: a canary without one deploys blue-green (nothing to compare with).
 */
export function kubernetesPlanSteps(config: ResolvedEnvironment, kind: 'deploy' | 'rollback', to: string | null = null, current: string | null = 'unknown'): PlanStep[] {
  const k = config.kubernetes;
  const where = `namespace ${k?.namespace ?? '?'}${k?.context ? ` (context ${k.context})` : ''}`;
  const service = `Service ${k?.service ?? '?'}`;
  const verify = step('verify', verifyText(config, ` through ${config.url || 'a port-forward'}`));
  if (kind === 'rollback') {
    const target = to ?? 'the previous release';
    return [
      step('start', `scale ${target} up in ${where} if it is not running and wait until ready; smoke it through a tunnel before it gets traffic`),
      step('switch', `switch ${service}'s selector to ${target} (JSON patch guarded by a test op); scale the release it replaced down after ${formatDuration(k?.scaleDownDelayMs ?? 0)}`),
      step('verify', 'verify health and smoke'),
    ];
  }
  if (k?.argoRollouts) {
    // The engine's verify-first form (src/rollout/verify-first.ts): going back after a promotion is a new revision.
    const after = config.url ? `; smoke ${config.url} (a failure there needs \`kubectl argo rollouts undo\`)` : '';
    return [
      step('start', `apply the Secret and the Rollout (blueGreen, autoPromotionEnabled: false) in ${where}; wait until the preview ReplicaSet is ready (deadline ${formatDuration(config.health.timeoutMs)}); fail fast on CrashLoopBackOff or ImagePullBackOff`),
      step('smoke', `smoke the preview through ${k.smokeVia === 'pod-ip' ? 'the pod IP' : 'a port-forward'} to a preview pod before it gets traffic`),
      step('verify', verifyText(config, ' through the preview, before any traffic moves')),
      step('switch', `promote with the kubectl plugin's status patch (a first revision is active already: nothing to promote)${after}`),
      step('retire', `Argo Rollouts scales the previous ReplicaSet down after ${formatDuration(k.scaleDownDelayMs)}`),
      step('withdraw', "on failure before the promotion: abort with the plugin's status patch; traffic never left the stable ReplicaSet", true),
    ];
  }
  const steps = [
    step('start', `apply the Secret and the green Deployment (${k?.replicas ?? 1} replicas, image ${k?.image ?? '?'}) in ${where}; wait until ready (deadline ${formatDuration(config.health.timeoutMs)}); fail fast on CrashLoopBackOff or ImagePullBackOff`),
    step('smoke', `smoke green through ${k?.smokeVia === 'pod-ip' ? 'the pod IP' : 'a port-forward'} before it gets traffic`),
  ];
  const guarded = '(JSON patch guarded by a test op)';
  const canary = config.strategy === 'canary' && current !== null;
  if (canary) {
    const through = k?.gateway ? `HTTPRoute ${k.gateway.route} weights` : 'replica ratio';
    const per = formatDuration(config.canary.intervalMs);
    const grow = k?.gateway ? '' : `green back to ${k?.replicas ?? 1} replicas and ready, then `;
    steps.push(...trafficSteps(config, through, !k?.gateway).map((s) => (s.id === 'traffic 100%' ? step(s.id, `promote: ${grow}switch ${service}'s selector to green alone ${guarded}, judged alone for ${per}`) : s)));
  } else {
    steps.push(step('switch', `switch ${service}'s selector from blue to green ${guarded}${config.strategy === 'canary' ? ' (no stable release to compare a canary with)' : ''}`));
    steps.push(verify);
  }
  steps.push(step('retire', `scale blue down after ${formatDuration(k?.scaleDownDelayMs ?? 0)}`));
  const back = canary ? 'traffic back to blue alone (the route or the selector as before; blue still scaled up)' : 'switch the selector back to blue (still scaled up)';
  steps.push(step('switch-back', `on failure: ${back} and verify it`, true));
  return steps;
}
