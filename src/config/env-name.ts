import { UserError } from '../errors.js';

/** Environment names end up in paths (.deploy/<env>) and process titles, so they are kept boring. */
export const ENV_NAME_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
export const ENV_NAME_MESSAGE = 'expected an environment name: lowercase letters, digits and "-", starting with a letter, at most 32 characters';

/** Sub-commands of the CLI; an environment with one of these names could not be deployed with `deploy <env>`. */
export const RESERVED_ENV_NAMES = ['status', 'history', 'rollback', 'init', 'unlock', 'stop', 'help', 'promote', 'abort', 'flags', 'recover'] as const;

export function assertEnvironmentName(name: string): void {
  if (!ENV_NAME_PATTERN.test(name)) {
    throw new UserError(`invalid environment name ${JSON.stringify(name.slice(0, 40))}: ${ENV_NAME_MESSAGE}`);
  }
}
