import { join } from 'node:path';
import type { ResolvedEnvironment } from '../../config/types.js';
import type { ReleaseMeta } from '../../rollout/target.js';

export function sharedDir(stateDir: string): string {
  return join(stateDir, 'shared');
}

/**
 * The app's environment: the deploying shell's own (a local deploy runs like `npm start` would), the env files'
 * values on top, then what shipgate tells every release. PORT is added by the supervisor. It reaches the app
 * over the runtime's 0600 socket and the process environment only: never argv, never a file.
 */
export function appEnvironment(config: ResolvedEnvironment, release: ReleaseMeta, base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) if (value !== undefined) env[name] = value;
  Object.assign(env, config.env.values);
  Object.assign(env, {
    RELEASE_ID: release.id,
    DEPLOY_RELEASE: release.id,
    DEPLOY_VERSION: release.version,
    DEPLOY_COMMIT: release.commit ?? '',
    DEPLOY_ENVIRONMENT: config.environment,
    DEPLOY_PROJECT_ROOT: config.projectRoot,
    DEPLOY_SHARED_DIR: sharedDir(config.stateDir),
  });
  return env;
}
