import { parseDuration } from '../../config/duration.js';
import { ExitCode, UserError } from '../../errors.js';
import type { ResolvedEnvironment } from '../../config/types.js';
import type { ProgressEvent } from '../../orchestrator/messages.js';
import type { DeployPlan, RunKind } from '../../orchestrator/plan.js';
import { runInChild, type ParentHooks } from '../../orchestrator/parent.js';
import { takeOrchestrator, type PendingOrchestrator } from '../../orchestrator/pending.js';
import type { CliOptions } from '../options.js';

export const deployCommand = (options: CliOptions, environment?: string) => runCommand('deploy', options, environment);
export const rollbackCommand = (options: CliOptions, environment?: string) => runCommand('rollback', options, environment);
export const stopCommand = (options: CliOptions, environment?: string) => runCommand('stop', options, environment);

/**
 * deploy / rollback / stop: resolve, plan, confirm, run in the orchestrator child, print the summary.
 * The child is started first and loads its modules while this process reads the config (docs/architecture.md).
 */
async function runCommand(kind: RunKind, options: CliOptions, environment = ''): Promise<number> {
  if (options.forceUnverified && !options.reason?.trim()) throw new UserError('--force-unverified needs --reason "<why>"; the reason is recorded in history');
  const lockWaitMs = options.lockWait === undefined ? 0 : parseDuration(options.lockWait);
  if (lockWaitMs === null) throw new UserError('--lock-wait: expected a duration like "2m"');

  const orchestrator = await takeOrchestrator();
  try {
    return await planAndRun(kind, options, environment, lockWaitMs, orchestrator);
  } finally {
    // A child that never got its plan is still waiting; one past its result is only exiting (runInChild returns on the result).
    orchestrator.cancel();
  }
}

async function planAndRun(kind: RunKind, options: CliOptions, environment: string, lockWaitMs: number, orchestrator: PendingOrchestrator): Promise<number> {
  const [{ loadRecipes }, { resolveEnvironment }, { buildPlan }, { readPackageVersion }] = await Promise.all([
    import('../../bundle/load.js'),
    import('../../config/resolve.js'),
    import('../../orchestrator/plan.js'),
    import('../version.js'),
  ]);
  const recipes = await loadRecipes();
  const config = await resolveEnvironment(process.cwd(), environment, { configPath: options.config, strategy: options.strategy, recipes });
  const deadlineOverride = process.env.DEPLOY_RUN_DEADLINE ? parseDuration(process.env.DEPLOY_RUN_DEADLINE) : null;
  // A canary needs a stable release to compare with; without one the plan (and the run) is blue-green.
  const current = kind === 'deploy' && config.strategy === 'canary' ? await liveRelease(config.projectRoot, environment) : undefined;
  const plan = buildPlan({
    current,
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
      acceptDataLoss: Boolean(options.acceptDataLoss),
      allowContract: Boolean(options.allowContract),
      lockWaitMs,
      verbose: Boolean(options.verbose),
    },
  });

  if (needsConfirmation(kind, environment, options)) {
    const { confirm } = await import('../confirm.js');
    if (!(await confirm(`${kind} ${config.app} ${kind === 'deploy' ? 'to' : 'on'} ${environment}?`))) {
      process.stderr.write('deploy: cancelled; nothing changed\n');
      return ExitCode.usage;
    }
  }

  const [{ StateStore }, { createRenderer }] = await Promise.all([import('../../state/store.js'), import('../progress.js')]);
  const remote = config.hosts.length > 0;
  const activeRelease = remote ? null : ((await new StateStore(config.projectRoot, environment).read()).active?.release ?? null);
  const renderer = await createRenderer(options);
  // Loaded while the orchestrator works, not after it answers.
  const rendering = Promise.all([import('../../summary/color.js'), import('../../summary/render-human.js'), import('../../summary/render-json.js')]);
  const hooks = {
    activeRelease,
    onProgress: (event: ProgressEvent) => renderer.progress(event),
    onNotice: (line: string) => renderer.notice(line),
    onSpawn: (pid: number) => options.verbose && renderer.notice(`orchestrator pid ${pid}`),
  };
  const summary = remote ? await runRemote(plan, hooks, orchestrator, (env) => resolveEnvironment(config.projectRoot, env, { configPath: config.configPath, recipes })) : await runInChild(plan, hooks, { started: orchestrator });
  renderer.stop();

  const [{ colorFor }, { renderHuman }, { renderJson }] = await rendering;
  if (options.json) {
    // stdout is for the JSON alone; the one-line reason still reaches a human on stderr.
    if (summary.exitCode !== 0 && summary.message) renderer.notice(summary.message);
    process.stdout.write(options.text ? renderJson({ ...summary, text: (await import('../../summary/render-text.js')).renderText(summary) }) : renderJson(summary));
  }
  else if (options.text) process.stdout.write((await import('../../summary/render-text.js')).renderText(summary));
  else if (kind === 'stop' && summary.exitCode === 0) process.stdout.write(`${summary.message ?? `stopped ${environment}`}\n`);
  else process.stdout.write(renderHuman(summary, colorFor(process.stdout)));
  return summary.exitCode;
}

/** An environment with `hosts:`: the same run on each server over SSH (src/remote/run-on-hosts.ts). */
async function runRemote(plan: DeployPlan, hooks: ParentHooks, local: PendingOrchestrator, resolve: (environment: string) => Promise<ResolvedEnvironment>) {
  const [{ runOnHosts }, { sshOptions }] = await Promise.all([import('../../remote/run-on-hosts.js'), import('../../remote/ssh-options.js')]);
  const requires = plan.config.requires;
  const requiredHosts = requires ? (await resolve(requires)).hosts : [];
  return runOnHosts({ plan, targets: plan.config.hosts, ssh: sshOptions(), hooks, local, requiredHosts });
}

/** Production deploys, rollbacks and stops ask first, on a terminal only; --yes and pipes never block. */
function needsConfirmation(kind: RunKind, environment: string, options: CliOptions): boolean {
  if (options.yes || options.dryRun || options.json) return false;
  if (!process.stdin.isTTY || !process.stderr.isTTY) return false;
  return kind !== 'deploy' || environment === 'production';
}

async function liveRelease(projectRoot: string, environment: string): Promise<string | null> {
  const { StateStore } = await import('../../state/store.js');
  return (await new StateStore(projectRoot, environment).read()).active?.release ?? null;
}
