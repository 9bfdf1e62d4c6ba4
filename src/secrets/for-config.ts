import { Redactor } from '../exec/redact.js';

/** Words an env file commonly holds that are configuration, not credentials; see docs/security.md. */
const PLAIN_WORDS = ['true', 'false', 'yes', 'no', 'on', 'off', 'production', 'staging', 'development', 'test', 'localhost', '127.0.0.1', '0.0.0.0'];

export interface SecretSource {
  app: string;
  environment: string;
  environments?: readonly string[];
  secrets: readonly string[];
}

/**
 * The redactor of one run: every interpolated and env-file value, except the app and environment names, plain words
 * and port-sized numbers, which would otherwise turn `"environment": "production"` in a history record into `***`.
 */
export function redactorFor(config: SecretSource): Redactor {
  const redactor = new Redactor({ publicValues: [config.app, config.environment, ...(config.environments ?? []), ...PLAIN_WORDS] });
  redactor.add(...config.secrets.filter((value) => !/^\d{1,5}$/.test(value)));
  return redactor;
}
