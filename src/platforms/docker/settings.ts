import type { ResolvedEnvironment } from '../../config/types.js';
import { ExitCode, UserError } from '../../errors.js';
import type { ReleaseMeta } from '../local/blue-green/runner.js';

/** The `docker:` section, with defaults. */
export interface DockerSettings {
  /** A prebuilt image to deploy instead of building the Dockerfile. */
  image: string | null;
  dockerfile: string;
  /** The port the app listens on inside the container. */
  port: number;
  /** bridge (publish on 127.0.0.1), host, a named docker network, or auto: bridge when the engine has one, else host. */
  network: 'auto' | 'bridge' | 'host' | { name: string };
}

type WithDocker = ResolvedEnvironment & { docker?: Partial<Omit<DockerSettings, 'network'>> | null };

/** Reads `docker:` from the resolved config when the schema provides it; SHIPGATE_DOCKER_NETWORK picks the network. */
export function dockerSettings(config: ResolvedEnvironment, env: NodeJS.ProcessEnv = process.env): DockerSettings {
  const raw = (config as WithDocker).docker ?? {};
  const network = env.SHIPGATE_DOCKER_NETWORK?.trim();
  return {
    image: raw.image ?? null,
    dockerfile: raw.dockerfile ?? 'Dockerfile',
    port: raw.port ?? 3000,
    network: !network || network === 'auto' ? 'auto' : network === 'bridge' || network === 'host' ? network : { name: network },
  };
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
