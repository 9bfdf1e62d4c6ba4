import { parseDuration } from '../../config/duration.js';
import { resolveEnvironment } from '../../config/resolve.js';
import { loadRecipes } from '../../bundle/load.js';
import { ExitCode, UserError } from '../../errors.js';
import { buildPlan, type RunKind } from '../../orchestrator/plan.js';
import { runInChild } from '../../orchestrator/parent.js';
import { StateStore } from '../../state/store.js';
import { colorFor } from '../../summary/color.js';
import { renderHuman } from '../../summary/render-human.js';
import { renderJson } from '../../summary/render-json.js';
import { confirm } from '../confirm.js';
import type { CliOptions } from '../options.js';
import { createRenderer } from '../progress.js';
import { readPackageVersion } from '../version.js';

export const deployCommand = (options: CliOptions, environment?: string) => runCommand('deploy', options, environment);
export const rollbackCommand = (options: CliOptions, environment?: string) => runCommand('rollback', options, environment);
export const stopCommand = (options: CliOptions, environment?: string) => runCommand('stop', options, environment);

/** deploy / rollback / stop: resolve, plan, confirm, run in the orchestrator child, print the summary. */
async function runCommand(kind: RunKind, options: CliOptions, environment = ''): Promise<number> {
  if (options.forceUnverified && !options.reason?.trim()) throw new UserError('--force-unverified needs --reason "<why>"; the reason is recorded in history');
  const lockWaitMs = options.lockWait === undefined ? 0 : parseDuration(options.lockWait);
  if (lockWaitMs === null) throw new UserError('--lock-wait: expected a duration like "2m"');

  const recipes = await loadRecipes();
  const config = await resolveEnvironment(process.cwd(), environment, { configPath: options.config, strategy: options.strategy, recipes });
  const deadlineOverride = process.env.DEPLOY_RUN_DEADLINE ? parseDuration(process.env.DEPLOY_RUN_DEADLINE) : null;
  const plan = buildPlan({
    kind,
    config,
    recipes,
    dryRun: Boolean(options.dryRun),
    toolVersion: readPackageVersion(),
    now: new Date(),
    deadlineOverrideMs: deadlineOverride,
    options: {
      ref: options.ref ?? null,
      to: options.to ?? null,
      yes: Boolean(options.yes),
      forceUnverified: Boolean(options.forceUnverified),
      reason: options.reason ?? null,
      allowDirty: Boolean(options.allowDirty),
      lockWaitMs,
      verbose: Boolean(options.verbose),
    },
  });

  if (needsConfirmation(kind, environment, options) && !(await confirm(`${kind} ${config.app} ${kind === 'deploy' ? 'to' : 'on'} ${environment}?`))) {
    process.stderr.write('deploy: cancelled; nothing changed\n');
    return ExitCode.usage;
  }

  const activeRelease = (await new StateStore(config.projectRoot, environment).read()).active?.release ?? null;
  const renderer = await createRenderer(options);
  const summary = await runInChild(plan, {
    activeRelease,
    onProgress: (event) => renderer.progress(event),
    onNotice: (line) => renderer.notice(line),
    onSpawn: (pid) => options.verbose && renderer.notice(`orchestrator pid ${pid}`),
  });
  renderer.stop();

  if (options.json) {
    // stdout is for the JSON alone; the one-line reason still reaches a human on stderr.
    if (summary.exitCode !== 0 && summary.message) renderer.notice(summary.message);
    process.stdout.write(renderJson(summary));
  }
  else if (kind === 'stop' && summary.exitCode === 0) process.stdout.write(`${summary.message ?? `stopped ${environment}`}\n`);
  else process.stdout.write(renderHuman(summary, colorFor(process.stdout)));
  return summary.exitCode;
}

/** Production deploys, rollbacks and stops ask first, on a terminal only; --yes and pipes never block. */
function needsConfirmation(kind: RunKind, environment: string, options: CliOptions): boolean {
  if (options.yes || options.dryRun || options.json) return false;
  if (!process.stdin.isTTY || !process.stderr.isTTY) return false;
  return kind !== 'deploy' || environment === 'production';
}
