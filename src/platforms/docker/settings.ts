import type { ResolvedEnvironment } from '../../config/types.js';
import { ExitCode, UserError } from '../../errors.js';
import type { ReleaseMeta } from '../../rollout/target.js';
import { resolveDocker, toNetwork, type DockerSettings } from './config.js';

export type { DockerSettings };

/**
 * The resolved `docker:` section (defaults from its schema, src/platforms/docker/config.ts). SHIPGATE_DOCKER_NETWORK,
 * when set, overrides `docker.network` (CI machines whose engine has no bridge).
 */
export function dockerSettings(config: ResolvedEnvironment, env: NodeJS.ProcessEnv = process.env): DockerSettings {
  const settings = config.docker ?? resolveDocker(undefined);
  const network = env.SHIPGATE_DOCKER_NETWORK?.trim();
  return network ? { ...settings, network: toNetwork(network) } : settings;
}

export function routerPort(config: ResolvedEnvironment): number {
  if (config.port === null) throw new UserError(`environments.${config.environment}.port: required for platform docker (the router's public port)`, ExitCode.usage);
  return config.port;
}

/** The app's own variables (env files and `env.required`): secret values, passed without argv. */
export function containerSecrets(config: ResolvedEnvironment): Record<string, string> {
  return { ...config.env.values };
}

/**
 * The release's identity, which is not secret and goes on argv as `--env NAME=value`. Unlike a local
 * process, a container does not inherit the deploying shell's environment.
 */
export function releaseVariables(config: ResolvedEnvironment, release: ReleaseMeta): Record<string, string> {
  return {
    RELEASE_ID: release.id,
    APP_VERSION: release.version,
    DEPLOY_RELEASE: release.id,
    DEPLOY_VERSION: release.version,
    DEPLOY_COMMIT: release.commit ?? '',
    DEPLOY_ENVIRONMENT: config.environment,
  };
}
