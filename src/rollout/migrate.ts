import type { DeployContext, DeployOutcome } from '../orchestrator/types.js';
import { failedBeforeSwitch } from './outcome.js';
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
  const [{ applyPendingMigrations }, { MigrationError }] = await Promise.all([import('../checks/index.js'), import('../checks/migrations/types.js')]);
  try {
    const result = await applyPendingMigrations(ctx, { nextReleaseId: release.id, overrides: { dir: source.dir, env: source.env } });
    if (result.applied.length > 0) ctx.emit({ phase: 'migrations', state: 'ok', message: `applied ${result.applied.join(', ')}` });
    return null;
  } catch (error) {
    if (!(error instanceof MigrationError)) throw error;
    ctx.emit({ phase: 'migrations', state: 'fail', message: error.message });
    const active = (await ctx.state.read()).active?.release ?? null;
    return failedBeforeSwitch(release, active, { name: 'Migrations', ok: false, value: error.message, threshold: 'applied' }, []);
  }
}
