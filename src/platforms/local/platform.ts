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
  settings: [
    { key: 'persist', elsewhere: ' (keep data in a volume or a database); only platform local links persisted paths' },
    { key: 'dependencies', elsewhere: '; its image or build installs the dependencies' },
    // docs/ssh.md: an environment with hosts runs this platform on each server.
    { key: 'hosts', elsewhere: '; servers over SSH run the local platform (docs/ssh.md)' },
    { key: 'ssh', elsewhere: '; servers over SSH run the local platform (docs/ssh.md)' },
  ],
  planSteps: (config, kind, input) => routerPlanSteps(config, kind, input, { start: `\`${config.start ?? '(start)'}\` on a free port` }),
  driver: () => import('./driver.js'),
  // The Data Loss pre-check: writes inside the live release that the new one would not carry over.
  preChecks: () => import('./pre-checks.js'),
  runtimeStatus: () => import('./runtime-status.js'),
  resume: async () => ({ resumeEnvironment: (await import('./resume.js')).resumeLocal }),
  appLog: () => import('./app-log.js'),
};
