import { resolveEnvironment } from '../../config/resolve.js';
import { ExitCode, UserError } from '../../errors.js';
import { confirm } from '../confirm.js';
import type { CliOptions } from '../options.js';

/** `deploy promote <env>`: the running canary skips its remaining steps and takes 100%. */
export const promoteCommand = (options: CliOptions, environment = '') => signalCanary('promote', options, environment);
/** `deploy abort <env>`: the running canary sends 100% back to stable, verifies it, and its deploy exits 1. */
export const abortCommand = (options: CliOptions, environment = '') => signalCanary('abort', options, environment);

async function signalCanary(action: 'promote' | 'abort', options: CliOptions, environment: string): Promise<number> {
  const config = await resolveEnvironment(process.cwd(), environment, { configPath: options.config });
  const { readRunning, sendControl } = await import('../../strategies/control-file.js');
  const running = await readRunning(config.stateDir);
  if (!running) throw new UserError(`no canary is running for ${environment}; nothing to ${action}`, ExitCode.usage);
  const question = action === 'promote'
    ? `Promote ${running.release} (now at ${running.percent}%) to 100% of ${environment}, skipping the remaining steps?`
    : `Abort the canary ${running.release} (now at ${running.percent}%) and send all of ${environment} back to ${running.stable}?`;
  if (!options.yes) {
    if (!process.stdin.isTTY || !process.stderr.isTTY) throw new UserError(`${action}: pass --yes to confirm without a terminal`, ExitCode.usage);
    if (!(await confirm(question))) {
      process.stderr.write('cancelled; nothing changed\n');
      return ExitCode.usage;
    }
  }
  await sendControl(config.stateDir, action);
  const line = `${action} sent to the canary of ${environment} (${running.release} at ${running.percent}%, deploy pid ${running.pid})`;
  process.stdout.write(options.json ? JSON.stringify({ environment, action, release: running.release, percent: running.percent }) + '\n' : line + '\n');
  return 0;
}
