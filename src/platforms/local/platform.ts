import type { PlatformSpec } from '../spec.js';
import { routerPlanSteps } from '../../rollout/router-plan.js';

/** Releases as directories, app processes supervised by the environment's runtime, our router in front. */
export const local: PlatformSpec<'local'> = {
  name: 'local',
  capabilities: { strategies: ['blue-green', 'canary'], weights: true, manifests: false, remote: false, warmSwitchBack: true, ownRouter: true },
  requires: [
    { key: 'start', why: 'the command that starts one instance' },
    { key: 'port', why: 'the public port' },
  ],
  planSteps: (config, kind, input) => routerPlanSteps(config, kind, input, { start: `\`${config.start ?? '(start)'}\` on a free port` }),
  driver: () => import('./driver.js'),
  // The Data Loss pre-check: writes inside the live release that the new one would not carry over.
  preChecks: () => import('./pre-checks.js'),
  runtimeStatus: () => import('./runtime-status.js'),
};
