import { assertEnvironmentName } from '../../config/env-name.js';
import { assertKnownEnvironment, loadConfig } from '../../config/resolve.js';
import { stateDirOf } from '../../state/deploy-dir.js';
import type { CliOptions } from '../options.js';

/** Removes the environment's deploy lock whoever holds it, and says whose it was. */
export async function unlockCommand(options: CliOptions, environment = ''): Promise<number> {
  assertEnvironmentName(environment);
  const { config, projectRoot } = await loadConfig(process.cwd(), { configPath: options.config });
  assertKnownEnvironment(config, environment);
  const { forceUnlock } = await import('../../lock/lock.js');
  const { describeHolder } = await import('../../lock/holder.js');
  const holder = await forceUnlock(stateDirOf(projectRoot, environment));
  if (options.json) {
    process.stdout.write(JSON.stringify({ environment, released: holder !== null, holder }) + '\n');
  } else {
    process.stdout.write(holder ? `released the ${environment} deploy lock held by ${describeHolder(holder)}\n` : `${environment} was not locked\n`);
  }
  return 0;
}
