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

  // A person typing `deploy resume` also ends a pause or maintenance; the boot watcher never does (it would end a
  // maintenance someone set on purpose within seconds).
  let code = await resumeAll(names, options, watchMs !== null, watchMs === null);
  if (watchMs === null) return code;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, watchMs));
    code = await resumeAll(names, options, true, false);
  }
}

async function resumeAll(names: string[], options: ResumeCliOptions, quietWhenServing: boolean, endGate: boolean): Promise<number> {
  const [{ platformSpec }, { recoverEnvironment }, { endPauseOrMaintenance }] = await Promise.all([
    import('../../platforms/registry.js'),
    import('../../journal/run-recovery.js'),
    import('./traffic.js'),
  ]);
  const withGateEnded = async (result: ResumeResult, stateDir: string): Promise<ResumeResult> => {
    if (!endGate || result.status === 'failed') return result;
    const ended = (await endPauseOrMaintenance(stateDir).catch(() => null))?.state ?? null;
    if (ended !== 'paused' && ended !== 'maintenance') return { ...result, ended: null };
    const line = `${ended === 'paused' ? 'pause' : 'maintenance'} ended; requests are routed again`;
    return { ...result, ended, status: 'resumed', actions: [...result.actions, line], message: `${result.message}; ${line}` };
  };
  const results: ResumeResult[] = [];
  let code: number = ExitCode.ok;
  for (const name of names) {
    try {
      const config = await resolveEnvironment(process.cwd(), name, { configPath: options.config });
      const spec = platformSpec(config.platform);
      if (!spec.resume) {
        const idle: ResumeResult = { environment: name, status: 'idle', release: null, runtime: null, actions: [], message: `${name}: platform ${config.platform} keeps its own processes running; nothing to resume` };
        // Our router in front (docker): a pause or maintenance is still ours to end.
        results.push(spec.capabilities.ownRouter ? await withGateEnded(idle, config.stateDir) : idle);
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
      let result = await (await spec.resume()).resumeEnvironment(config);
      if (recovered.journal && result.status !== 'failed') {
        result = { ...result, status: 'resumed', actions: [recovered.message, ...result.actions], message: `${name}: ${recovered.message}; ${result.message.replace(`${name}: `, '')}` };
      }
      if (result.status === 'failed') code = Math.max(code, ExitCode.needsHuman);
      results.push(await withGateEnded(result, config.stateDir));
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
