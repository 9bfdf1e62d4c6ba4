import type { DeployContext, DeployOutcome } from '../../orchestrator/types.js';
import { BuildFailedError, createRelease, type ReleaseInfo } from './releases.js';
import { failedBeforeSwitch } from '../../rollout/outcome.js';
import { DependencyInstallError } from '../../releases/dependency-cache.js';
import { prepareReleaseDir } from '../../releases/prepare-dir.js';
import { runGitSource } from '../../releases/git-source.js';

/**
 * The release directory of a deploy (git archive or a copy, then the user's build), for every platform that runs
 * the blue-green flow. A failed build is an outcome, not an error: nothing was started and blue still serves.
 */
export async function prepareRelease(
  ctx: DeployContext,
  buildEnv: Record<string, string>,
  /** The release runs from this directory (local platform): link its persisted paths and give it its dependencies. */
  runsFromDirectory = false,
): Promise<{ release: ReleaseInfo } | { outcome: DeployOutcome }> {
  const { config } = ctx;
  ctx.step('release');
  if (config.build) ctx.step('build');
  try {
    const release = await createRelease({
      projectRoot: config.projectRoot,
      stateDir: config.stateDir,
      executor: ctx.executor,
      ref: ctx.plan.options.ref ?? undefined,
      source: runGitSource(ctx.plan, ctx.executor),
      shippedCommit: ctx.plan.options.source?.commit,
      build: config.build,
      buildEnv,
      prepareDir: runsFromDirectory ? prepareReleaseDir(ctx, buildEnv) : undefined,
    });
    return { release };
  } catch (error) {
    if (error instanceof DependencyInstallError) return dependenciesFailed(ctx, error);
    if (!(error instanceof BuildFailedError)) throw error;
    ctx.emit({ phase: 'build', state: 'fail', message: error.message });
    const active = (await ctx.state.read()).active?.release ?? null;
    const check = { name: 'Build', ok: false, value: `exit code ${error.exitCode}`, threshold: 'exit code 0' };
    const failed = failedBeforeSwitch({ id: error.releaseId, version: '', commit: null, contentHash: null }, active, check, error.logTail);
    return { outcome: { ...failed, message: `build failed with exit code ${error.exitCode}; nothing was started${active ? `, ${active} still serves` : ''}` } };
  }
}

async function dependenciesFailed(ctx: DeployContext, error: DependencyInstallError): Promise<{ outcome: DeployOutcome }> {
  ctx.emit({ phase: 'dependencies', state: 'fail', message: error.message });
  const active = (await ctx.state.read()).active?.release ?? null;
  const check = { name: 'Dependencies', ok: false, value: `${error.command}: exit code ${error.exitCode}`, threshold: 'exit code 0' };
  const failed = failedBeforeSwitch({ id: '', version: '', commit: null, contentHash: null }, active, check, error.logTail);
  return { outcome: { ...failed, message: `${error.message}; nothing was started${active ? `, ${active} still serves` : ''}` } };
}
