import type { DeployContext, DeployOutcome } from './types.js';

/**
 * `.deploy/hooks/post-deploy` after a deploy that succeeded, `.deploy/hooks/post-rollback` after any rollback
 * (automatic or `deploy rollback`), on every platform. A missing hook is fine; a failing one is a warning: traffic
 * already moved and stays where the run left it.
 */
export async function runPostHooks(ctx: DeployContext, outcome: DeployOutcome): Promise<void> {
  const kind = ctx.plan.kind;
  const hook = kind === 'deploy' && outcome.status === 'success' ? 'post-deploy' : kind === 'rollback' || outcome.rollback.performed ? 'post-rollback' : null;
  if (!hook) return;
  ctx.step(hook);
  const { runDeployHook } = await import('../checks/index.js');
  const result = await runDeployHook(ctx, hook, { release: outcome.release.id, version: outcome.release.version, commit: outcome.release.commit, status: outcome.status });
  if (result.ran || !result.ok) ctx.emit({ phase: 'hooks', state: result.ok ? 'ok' : 'warn', message: `${hook} hook: ${result.detail}` });
}
