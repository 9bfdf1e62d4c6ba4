import { join } from 'node:path';
import type { DeployContext } from '../orchestrator/types.js';
import { releaseDirOf, releaseLogDir, type CreateReleaseOptions, type ReleaseInfo } from '../platforms/local/releases.js';
import { sharedDir } from '../platforms/local/app-env.js';
import { installDependencies, linkProjectDependencies, restoreDependencies } from './dependency-cache.js';
import { shipgateStateHome } from './location.js';
import { linkPersisted, parsePersist, type LinkedPath } from './persist.js';

/** The cache of prepared dependency trees, shared by every project of the user (content-addressed). */
export function dependencyCacheRoot(): string {
  return join(shipgateStateHome(), 'dependencies');
}

/**
 * What a new release directory gets before its build: its persisted paths linked to the environment's copies, and
 * its own dependencies (or a link to the project's). Runs on the platforms that run releases from directories.
 */
export function prepareReleaseDir(ctx: DeployContext, env: Record<string, string>): NonNullable<CreateReleaseOptions['prepareDir']> {
  const { config } = ctx;
  return async (dir, id) => {
    if (config.persist.length > 0) {
      const active = (await ctx.state.read()).active?.release ?? null;
      const linked = await linkPersisted(dir, sharedDir(config.stateDir), parsePersist(config.persist), active ? releaseDirOf(config.stateDir, active) : null);
      ctx.emit({ phase: 'persist', state: 'info', message: describeLinks(linked, config.environment, active, id) });
    }
    if (config.dependencies === 'shared') {
      await linkProjectDependencies(dir, config.projectRoot);
      return { dependencies: null };
    }
    ctx.emit({ phase: 'dependencies', state: 'start', message: 'dependencies of the release' });
    const result = await installDependencies({
      releaseDir: dir,
      cacheRoot: dependencyCacheRoot(),
      executor: ctx.executor,
      production: !config.build,
      env: { ...env, RELEASE_ID: id, DEPLOY_RELEASE: id },
      logFile: join(releaseLogDir(dir), 'install.log'),
    });
    if (!result) {
      const linked = await linkProjectDependencies(dir, config.projectRoot);
      ctx.emit({ phase: 'dependencies', state: 'ok', message: linked ? "no lockfile: the release uses the project's node_modules" : 'no lockfile and no node_modules: none' });
      return { dependencies: null };
    }
    const how = result.source === 'cache' ? 'from the cache, no install ran' : `installed with ${result.manager}`;
    ctx.emit({ phase: 'dependencies', state: 'ok', message: `${result.manager} lockfile ${result.key.slice(0, 12)}: ${how} (${result.ms} ms)` });
    return { dependencies: result };
  };
}

/** Before a rollback: a release linked to a cache entry that was deleted since gets it back from its own lockfile. */
export async function restoreForRollback(ctx: DeployContext, target: Pick<ReleaseInfo, 'id' | 'dir' | 'dependencies'>, env: Record<string, string>): Promise<void> {
  const recorded = target.dependencies;
  if (recorded?.tree !== 'symlink' || recorded.production === undefined) return;
  const result = await restoreDependencies({
    releaseDir: target.dir,
    cacheRoot: dependencyCacheRoot(),
    executor: ctx.executor,
    production: recorded.production,
    env: { ...env, RELEASE_ID: target.id, DEPLOY_RELEASE: target.id },
    logFile: join(releaseLogDir(target.dir), 'install.log'),
  });
  if (result) ctx.emit({ phase: 'dependencies', state: 'ok', message: `${target.id}: its dependency tree had been deleted from the cache; installed again from its lockfile (${result.ms} ms)` });
}

export function describeLinks(linked: readonly LinkedPath[], environment: string, live: string | null, id: string): string {
  const filled = linked.filter((l) => l.seeded).map((l) => `${l.entry} from ${l.seeded === 'live' ? live : l.seeded === 'release' ? id : 'nothing (created empty)'}`);
  return `linked ${linked.map((l) => l.entry).join(', ')} to .deploy/${environment}/shared${filled.length ? `; copied ${filled.join(', ')}` : ''}`;
}

/**
 * Before a rollback: the environment's copies take the newest data from the release serving now, and the target's
 * persisted paths point at them again. A rollback changes the code, never the persisted data.
 */
export async function relinkForRollback(ctx: DeployContext, target: { id: string; dir: string }): Promise<void> {
  const { config } = ctx;
  if (config.persist.length === 0) return;
  const active = (await ctx.state.read()).active?.release ?? null;
  const linked = await linkPersisted(target.dir, sharedDir(config.stateDir), parsePersist(config.persist), active ? releaseDirOf(config.stateDir, active) : null);
  ctx.emit({ phase: 'persist', state: 'info', message: describeLinks(linked, config.environment, active, target.id) });
}
