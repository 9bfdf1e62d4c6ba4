import { ExitCode, UserError } from '../../errors.js';
import type { DeployContext, DeployOutcome, PlatformDriver } from '../../orchestrator/types.js';
import { deployWholeSwitch, rollBackWholeSwitch } from '../../rollout/engine.js';
import { listDeployments } from './deployments.js';
import { settingsChange } from './managed-settings.js';
import { platformDeployments, railwayStatus } from './overview.js';
import { recoverRailway } from './recover.js';
import { releaseFacts } from './release.js';
import { railwayRolloutTarget } from './rollout-target.js';
import { publicUrl } from './service-instance.js';
import { railwaySession } from './session.js';
import { imageOf } from './trigger.js';

/** platform: railway, through Railway's public GraphQL API (no CLI needed). See docs/platforms/railway.md. */
export function createDriver(): PlatformDriver {
  return {
    name: 'railway',
    deploy: (ctx) => deploy(ctx),
    rollback: (ctx, to) => rollback(ctx, to),
    status: (ctx) => railwayStatus(ctx),
    history: (ctx) => platformDeployments(ctx, 20),
    recover: (ctx, journal) => recoverRailway(ctx, journal),
    stop: async () => {
      throw new UserError('deploy stop is not available on Railway: remove the deployment in Railway itself (our API token never deletes services)', ExitCode.usage);
    },
  };
}

/** The settings we manage, then the engine: trigger (upload or image), Railway swaps once healthy, verify, or back. */
async function deploy(ctx: DeployContext): Promise<DeployOutcome> {
  const { session, target, url } = await connect(ctx);
  const instance = await session.instance();
  const facts = await releaseFacts(ctx);
  ctx.step('settings');
  const change = settingsChange(instance, session.settings, ctx.config.health.path, imageOf(session, facts.commit));
  if (Object.keys(change.input).length > 0) {
    await session.api.query('serviceInstanceUpdate', { environmentId: target.environmentId, serviceId: target.serviceId, input: change.input });
    for (const note of change.notes) ctx.emit({ phase: 'settings', state: 'ok', message: note });
  }
  return deployWholeSwitch({
    ctx,
    target: railwayRolloutTarget(ctx, session, target, url),
    release: { id: '', version: facts.version, commit: facts.commit, contentHash: null },
    note: change.notes.length ? ` (${change.notes.join('; ')})` : '',
  });
}

/**
 * `deploy rollback <env> [--to <deploymentId>]`: deploymentRollback to the chosen deployment (default: the previous
 * one we recorded, else the newest earlier deployment Railway allows), wait for SUCCESS, verify.
 */
async function rollback(ctx: DeployContext, to?: string): Promise<DeployOutcome> {
  const { session, target, url } = await connect(ctx);
  const engineTarget = railwayRolloutTarget(ctx, session, target, url);
  const live = await engineTarget.live();
  const state = await ctx.state.read();
  const chosen = to ?? state.previous?.release ?? (await listDeployments(session.api, target, 20)).find((d) => d.id !== live?.id && d.canRollback)?.id;
  if (!chosen) throw new UserError(`no earlier Railway deployment to roll back to in ${target.environmentName}`, ExitCode.usage);
  if (chosen === live?.id) throw new UserError(`deployment ${chosen} is already live in ${target.environmentName}`, ExitCode.usage);
  return rollBackWholeSwitch({ ctx, target: engineTarget, to: chosen, leaving: live, reason: to ? `requested: --to ${to}` : 'requested' });
}

async function connect(ctx: DeployContext) {
  const session = railwaySession(ctx);
  const target = await session.target();
  const url = publicUrl(ctx.config.url, await session.instance());
  if (!url) throw new UserError('the Railway service has no public domain and no url is configured', ExitCode.usage);
  return { session, target, url };
}
