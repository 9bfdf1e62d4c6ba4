import type { DeployContext } from '../orchestrator/types.js';
import type { EnvironmentState } from '../state/schema.js';
import type { RunningRelease } from './target.js';

/**
 * Records which release serves (active) and which one a rollback returns to (previous) on a whole-switch target.
 * The platform keeps no warm blue: the previous release is a rollback target, not a running process.
 */
export async function recordLive(
  ctx: Pick<DeployContext, 'state' | 'config'>,
  live: RunningRelease,
  previous: string | null,
  release?: { version: string; commit: string | null },
): Promise<void> {
  const now = new Date().toISOString();
  await ctx.state.update((state): EnvironmentState => {
    const releases = release && !state.releases.some((r) => r.id === live.id)
      ? [...state.releases, { id: live.id, version: release.version, commit: release.commit, contentHash: null, createdAt: now }].slice(-Math.max(1, ctx.config.releases.keep * 4))
      : state.releases;
    return {
      ...state,
      url: live.url,
      active: { release: live.id, upstream: live.url, since: now, running: true },
      previous: previous ? { release: previous, upstream: null, since: now, running: false } : state.previous,
      releases,
    };
  });
}
