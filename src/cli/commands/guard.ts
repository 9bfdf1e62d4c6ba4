import { assertEnvironmentName } from '../../config/env-name.js';
import { assertKnownEnvironment, loadConfig } from '../../config/resolve.js';
import { stateDirOf } from '../../state/deploy-dir.js';
import type { CliOptions } from '../options.js';
import { readGuardStatus, type GuardView } from './guard-status.js';

/**
 * `deploy guard <env>` shows the post-deploy guard's state; `deploy guard <env> --stop` ends it early
 * (nothing else happens: traffic stays where it is). Exit 0, or 2 for an unknown environment.
 */
export async function guardCommand(options: CliOptions & { stop?: boolean }, environment = ''): Promise<number> {
  assertEnvironmentName(environment);
  const { config, projectRoot } = await loadConfig(process.cwd(), { configPath: options.config });
  assertKnownEnvironment(config, environment);
  const stateDir = stateDirOf(projectRoot, environment);
  let view: GuardView | null;
  if (options.stop) {
    const { stopGuardAt } = await import('./guard-status.js');
    view = await stopGuardAt(stateDir, options.reason ?? 'stopped with deploy guard --stop');
  } else {
    view = await readGuardStatus(stateDir);
  }
  if (options.json) {
    process.stdout.write(JSON.stringify({ environment, guard: view }) + '\n');
    return 0;
  }
  if (!view) {
    process.stdout.write(`no guard runs for ${environment} (its runtime is not running)\n`);
    return 0;
  }
  const prefix = options.stop && view.state === 'stopped' ? `guard of ${environment} stopped` : `guard of ${environment}: ${view.line}`;
  process.stdout.write(`${prefix}${view.outcome && !options.stop ? `\n  ${view.outcome}` : ''}\n`);
  return 0;
}
