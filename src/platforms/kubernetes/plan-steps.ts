import type { ResolvedEnvironment } from '../../config/types.js';
import { formatDuration } from '../../config/duration.js';
import { formatPercent } from '../../config/percent.js';

/** What `deploy <env> --dry-run` lists on Kubernetes (pure); the exact objects follow as manifests. src/orchestrator/plan.ts calls it. */
export function kubernetesPlanSteps(config: ResolvedEnvironment, kind: 'deploy' | 'rollback', to: string | null = null): string[] {
  const k = config.kubernetes;
  const where = `namespace ${k?.namespace ?? '?'}${k?.context ? ` (context ${k.context})` : ''}`;
  const service = `Service ${k?.service ?? '?'}`;
  const verify = `verify ${formatDuration(config.verify.windowMs)} through ${config.url || 'a port-forward'}: error rate < ${formatPercent(config.verify.errorRate)}, p95 < ${formatDuration(config.verify.p95Ms)}, ≥${config.verify.minRequests} requests, smoke`;
  if (kind === 'rollback') {
    return [`scale ${to ?? 'the previous release'} up in ${where} and wait until ready`, `switch ${service}'s selector to it (JSON patch guarded by a test op)`, verify];
  }
  if (k?.argoRollouts) {
    return [
      `apply the Secret and the Rollout (blueGreen, autoPromotionEnabled: false) in ${where}`,
      `wait until the preview ReplicaSet is ready (deadline ${formatDuration(config.health.timeoutMs)}); smoke it through the preview Service`,
      'promote with the kubectl plugin\'s status patch', verify,
      'on failure: abort with the plugin\'s status patch (traffic back on the stable ReplicaSet)',
    ];
  }
  const steps = [
    `apply the Secret and the green Deployment (${k?.replicas ?? 1} replicas, image ${k?.image ?? '?'}) in ${where}`,
    `wait until ready (deadline ${formatDuration(config.health.timeoutMs)}); fail fast on CrashLoopBackOff or ImagePullBackOff`,
    `smoke green through ${k?.smokeVia === 'pod-ip' ? 'the pod IP' : 'a port-forward'} before it gets traffic`,
  ];
  if (config.strategy === 'canary') {
    const shares = config.canary.steps.map(formatPercent).join(' → ');
    steps.push(k?.gateway ? `canary through HTTPRoute ${k.gateway.route} weights: ${shares}, ${formatDuration(config.canary.intervalMs)} per step` : `canary by replica ratio (approximate split): ${shares}, ${formatDuration(config.canary.intervalMs)} per step`);
  } else {
    steps.push(`switch ${service}'s selector from blue to green (JSON patch guarded by a test op)`);
  }
  steps.push(verify, `on failure: switch the selector back to blue (still scaled up) and verify it; on success scale blue down after ${formatDuration(k?.scaleDownDelayMs ?? 0)}`);
  return steps;
}
