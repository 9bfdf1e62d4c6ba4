import type { PlatformSpec } from '../spec.js';
import { routerPlanSteps } from '../../rollout/router-plan.js';
import { DockerSchema, resolveDocker, type DockerSettings, type RawDocker } from './config.js';

/** Releases as images and containers on a Docker Engine, our router in front (docs/docker-platform.md). */
export const docker: PlatformSpec<'docker', RawDocker, DockerSettings> = {
  name: 'docker',
  capabilities: { strategies: ['blue-green', 'canary'], weights: true, manifests: false, remote: false, warmSwitchBack: true, ownRouter: true },
  requires: [{ key: 'port', why: "the router's public port" }],
  section: { schema: DockerSchema, resolve: resolveDocker },
  planSteps: (config, kind, input) => {
    const d = config.docker ?? resolveDocker(undefined);
    return routerPlanSteps(config, kind, input, { image: d.image ? `tag ${d.image} as the release image` : `docker build -f ${d.dockerfile}`, start: `a container (port ${d.port})` });
  },
  driver: () => import('./driver.js'),
  preChecks: () => import('./pre-checks.js'),
};
