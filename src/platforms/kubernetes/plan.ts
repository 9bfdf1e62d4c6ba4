import type { CanaryPlan } from './canary-plan.js';
import { LABELS, appLabel, deploymentName, rolloutName } from './names.js';
import { type KubeObject, type ReleaseSpec, deploymentManifest, releaseLabels, rolloutManifest, secretManifest } from './manifests.js';
import { ARGO_ABORT, ARGO_CLEAR_PAUSE, ARGO_UNPAUSE, type PatchAction, rolloutSpecPatch, rolloutStatusPatch, scalePatch, selectorPatch, slotPatch } from './patches.js';

export type Selector = Record<string, string>;

/** Plain-resource blue-green: everything one deploy creates and patches, computed before anything is sent. */
export interface DeploymentPlan {
  mode: 'deployment';
  release: ReleaseSpec;
  secret: KubeObject | null;
  deployment: KubeObject;
  service: { name: string; namespace: string };
  /** The Service's selector as read before the deploy, and the one that sends traffic to green. */
  from: Selector;
  to: Selector;
  /**
   * A first release onto a Service whose selector green's pods match too (hold.ts): before green starts, the
   * Service is held on the pods serving now; the switch starts from there, and a green that fails before it
   * lets go (back to `from`) once its pods are gone.
   */
  hold: { selector: Selector; patch: PatchAction; release: PatchAction } | null;
  /** Our Deployment the Service selects now (blue), when there is one. */
  blue: { name: string; release: string } | null;
  switchTo: PatchAction;
  switchBack: PatchAction;
  markGreen: PatchAction;
  retireBlue: PatchAction | null;
  /** strategy canary, when there is a blue to compare with. */
  canary: CanaryPlan | null;
}

/** Argo Rollouts mode: the Rollout's new template, then the plugin's promote or abort patches. */
export interface RolloutPlan {
  mode: 'rollout';
  release: ReleaseSpec;
  secret: KubeObject | null;
  rollout: KubeObject;
  promote: { unpause: PatchAction; clearPause: PatchAction };
  abort: PatchAction;
}

export type KubePlan = DeploymentPlan | RolloutPlan;

/** The release's plan from the Service's current selector (pure: the same inputs give the same objects). */
export function planDeployment(release: ReleaseSpec, currentSelector: Selector, canary: CanaryPlan | null = null, holdOn: Selector | null = null): DeploymentPlan {
  const ns = release.settings.namespace;
  const service = { name: release.settings.service, namespace: ns };
  const to = releaseLabels(release);
  const blueRelease = currentSelector[LABELS.release] && currentSelector[LABELS.app] === appLabel(release.app) ? currentSelector[LABELS.release]! : null;
  const blue = blueRelease && blueRelease !== release.id ? { name: deploymentName(release.app, blueRelease), release: blueRelease } : null;
  const green = { name: deploymentName(release.app, release.id), namespace: ns };
  const hold = holdOn
    ? {
        selector: holdOn,
        patch: selectorPatch(service, currentSelector, holdOn, `before green ${release.id} starts: the Service keeps the pods it selects now, green's pods cannot match it`),
        release: selectorPatch(service, holdOn, currentSelector, 'only if green fails before the switch, once its pods are gone: the selector as before the deploy'),
      }
    : null;
  return {
    mode: 'deployment',
    release,
    secret: secretManifest(release),
    deployment: deploymentManifest(release),
    service,
    from: currentSelector,
    to,
    hold,
    blue,
    // A replica-ratio canary leaves the Service selecting both releases; the final switch starts from there.
    switchTo: selectorPatch(service, (blue && canary?.sharedSelector) || holdOn || currentSelector, to, `after green ${release.id} is ready and its smoke tests${blue && canary ? ' and canary steps' : ''} pass: traffic to green`),
    switchBack: selectorPatch(service, to, currentSelector, 'only if verification fails: traffic back to blue'),
    markGreen: slotPatch(green, 'blue', 'after the switch: green is the live release'),
    canary: blue ? canary : null,
    retireBlue: blue ? scalePatch({ name: blue.name, namespace: ns }, 0, 'previous', `after verification passes and the scale-down delay (${release.settings.scaleDownDelayMs / 1000}s): blue to 0 replicas`) : null,
  };
}

export function planRollout(release: ReleaseSpec): RolloutPlan {
  const target = { name: rolloutName(release.app), namespace: release.settings.namespace };
  return {
    mode: 'rollout',
    release,
    secret: secretManifest(release),
    rollout: rolloutManifest(release),
    promote: {
      unpause: rolloutSpecPatch(target, ARGO_UNPAUSE, 'promote, when spec.paused is set (as `kubectl argo rollouts promote`)'),
      clearPause: rolloutStatusPatch(target, ARGO_CLEAR_PAUSE, 'promote after the preview passes its smoke tests (as `kubectl argo rollouts promote`)'),
    },
    abort: rolloutStatusPatch(target, ARGO_ABORT, 'only if verification fails (as `kubectl argo rollouts abort`)'),
  };
}
