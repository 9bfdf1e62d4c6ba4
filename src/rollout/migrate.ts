import type { DeployContext, DeployOutcome } from '../orchestrator/types.js';
import { ExitCode } from '../errors.js';
import { releaseOf } from './outcome.js';
import type { ReleaseMeta } from './target.js';

export interface MigrationSource {
  /** The release's own migrations folder, relative to the project root: what this commit expects, not the working tree's. */
  dir: string;
  /** The app's environment for the release. */
  env: Record<string, string>;
}

/**
 * The engine's migrate step: pending migrations of the release are applied before green starts, and the run's
 * rollback plan records what was applied (also the part applied before a failure), on every platform.
 * Null when that went well or there was nothing to do; a failed migration is an outcome: nothing was started.
 */
export async function migrateRelease(ctx: DeployContext, release: ReleaseMeta, source: MigrationSource): Promise<DeployOutcome | null> {
  if (ctx.config.migrations.mode === 'none') return null;
  ctx.step('migrate');
  const [{ applyPendingMigrations, preCheckOutputs }, { MigrationError }, { afterApply }] = await Promise.all([
    import('../checks/index.js'),
    import('../checks/migrations/types.js'),
    import('../checks/migrations/report.js'),
  ]);
  const out = preCheckOutputs(ctx.plan);
  try {
    const result = await applyPendingMigrations(ctx, { nextReleaseId: release.id, overrides: { dir: source.dir, env: source.env } });
    if (result.tool) out.migrationsReport = afterApply(out.migrationsReport ?? { tool: result.tool, files: null }, result.applied, null);
    if (result.applied.length > 0) ctx.emit({ phase: 'migrations', state: 'ok', message: `applied ${result.applied.join(', ')}` });
    return null;
  } catch (error) {
    if (!(error instanceof MigrationError)) throw error;
    out.migrationsReport = afterApply(out.migrationsReport ?? { tool: ctx.config.migrations.tool ?? 'migrations', files: null }, error.applied, error);
    ctx.emit({ phase: 'migrations', state: 'fail', message: error.message });
    for (const line of error.errors) ctx.emit({ phase: 'migrations', state: 'info', message: line });
    const active = (await ctx.state.read()).active?.release ?? null;
    return migrationFailed(release, active, error.message, error.applied);
  }
}

/**
 * Migrations run before green starts, so green never ran: the message says so (not "stopped before it got
 * traffic"), names what stayed applied, and the failure is not listed as a post-deployment check.
 */
export function migrationFailed(release: ReleaseMeta, active: string | null, reason: string, applied: string[]): DeployOutcome {
  const kept = applied.length > 0 ? `; applied before the failure and kept: ${applied.join(', ')}` : '';
  return {
    status: 'failed',
    exitCode: ExitCode.rolledBack,
    release: releaseOf(release),
    previousRelease: active,
    post: [],
    rollback: { performed: false, reason: `Migrations: ${reason}` },
    message: `Migrations failed: ${reason}${kept}; green ${release.id} was never started${active ? `, ${active} still serves` : ''}`,
    verified: false,
  };
}
