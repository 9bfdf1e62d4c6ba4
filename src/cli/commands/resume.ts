import { parseDuration } from '../../config/duration.js';
import { assertEnvironmentName } from '../../config/env-name.js';
import { assertKnownEnvironment, loadConfig, resolveEnvironment } from '../../config/resolve.js';
import { ExitCode, UserError, isUserError } from '../../errors.js';
import type { ResumeResult } from '../../platforms/local/resume.js';
import type { CliOptions } from '../options.js';

export interface ResumeCliOptions extends CliOptions {
  all?: boolean;
  /** `--watch [interval]`: keep running and resume again whenever something is down (the service unit runs this). */
  watch?: boolean | string;
}

/**
 * `deploy resume [env|--all]`: brings back the runtime and the active release of each environment from its state,
 * deploys nothing new, idempotent (docs/local-platform.md, "After a crash or a reboot"). Exit 0 when every environment
 * serves its active release (or was never deployed), 4 when one could not be brought back, 5 when a deploy holds a lock.
 */
export async function resumeCommand(options: ResumeCliOptions, environment?: string): Promise<number> {
  if (environment && options.all) throw new UserError('deploy resume: name one environment or pass --all, not both');
  if (!environment && !options.all) throw new UserError('deploy resume: name an environment (e.g. `deploy resume staging`) or pass --all');
  if (environment) assertEnvironmentName(environment);
  const watchMs = options.watch === undefined || options.watch === false ? null : options.watch === true ? 10_000 : parseDuration(options.watch);
  if (watchMs === null && options.watch !== undefined && options.watch !== false) throw new UserError('--watch: expected a duration like "10s"');
  const { config } = await loadConfig(process.cwd(), { configPath: options.config });
  if (environment) assertKnownEnvironment(config, environment);
  const names = environment ? [environment] : Object.keys(config.environments);

  let code = await resumeAll(names, options, watchMs !== null);
  if (watchMs === null) return code;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, watchMs));
    code = await resumeAll(names, options, true);
  }
}

async function resumeAll(names: string[], options: ResumeCliOptions, quietWhenServing: boolean): Promise<number> {
  const [{ resumeLocal }, { recoverEnvironment }] = await Promise.all([import('../../platforms/local/resume.js'), import('../../journal/run-recovery.js')]);
  const results: ResumeResult[] = [];
  let code: number = ExitCode.ok;
  for (const name of names) {
    try {
      const config = await resolveEnvironment(process.cwd(), name, { configPath: options.config });
      if (config.platform !== 'local') {
        results.push({ environment: name, status: 'idle', release: null, runtime: null, actions: [], message: `${name}: platform ${config.platform} keeps its own processes running; nothing to resume` });
        continue;
      }
      // A deploy killed mid-way (a reboot during a deploy) is finished first: traffic back on the last verified
      // release. Resume then finds it serving, or brings it back.
      const recovered = await recoverEnvironment(config.projectRoot, name, options.config);
      if (recovered.journal && recovered.exitCode !== ExitCode.ok) {
        code = Math.max(code, recovered.exitCode);
        results.push({ environment: name, status: 'failed', release: null, runtime: null, actions: [], message: `${name}: ${recovered.message}` });
        continue;
      }
      let result = await resumeLocal(config);
      if (recovered.journal && result.status !== 'failed') {
        result = { ...result, status: 'resumed', actions: [recovered.message, ...result.actions], message: `${name}: ${recovered.message}; ${result.message.replace(`${name}: `, '')}` };
      }
      if (result.status === 'failed') code = Math.max(code, ExitCode.needsHuman);
      results.push(result);
    } catch (error) {
      if (!isUserError(error)) throw error;
      code = Math.max(code, error.exitCode);
      results.push({ environment: name, status: 'failed', release: null, runtime: null, actions: [], message: `${name}: ${error.message}` });
    }
  }
  if (options.json) process.stdout.write(JSON.stringify({ environments: results }) + '\n');
  else if (!quietWhenServing) for (const r of results) process.stdout.write(`${r.message}\n`);
  // Watching (a service unit's log): only what changed, timestamped.
  else for (const r of results) if (r.status === 'resumed' || r.status === 'failed') process.stdout.write(`${new Date().toISOString()} ${r.message}\n`);
  return code;
}
