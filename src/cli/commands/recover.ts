import { assertEnvironmentName } from '../../config/env-name.js';
import { assertKnownEnvironment, loadConfig } from '../../config/resolve.js';
import { recoverEnvironment } from '../../journal/run-recovery.js';
import type { CliOptions } from '../options.js';

/**
 * `deploy recover <env>`: finishes a deploy or rollback whose orchestrator was killed (docs/reliability.md). Exit 0
 * when traffic is on the last verified release again, or when nothing was interrupted; 4 when recovery failed;
 * 5 while a run holds the environment.
 */
export async function recoverCommand(options: CliOptions, environment = ''): Promise<number> {
  assertEnvironmentName(environment);
  const { config, projectRoot } = await loadConfig(process.cwd(), { configPath: options.config });
  assertKnownEnvironment(config, environment);
  const run = await recoverEnvironment(projectRoot, environment, options.config);
  if (options.json) {
    const interrupted = run.journal ? { kind: run.journal.kind, phase: run.journal.phase, startedAt: run.journal.startedAt } : null;
    process.stdout.write(JSON.stringify({ environment, interrupted, recovered: run.journal !== null && run.exitCode === 0, message: run.message }) + '\n');
  } else {
    (run.exitCode === 0 ? process.stdout : process.stderr).write(`${run.exitCode === 0 ? '' : 'deploy: '}${run.message}\n`);
  }
  return run.exitCode;
}
