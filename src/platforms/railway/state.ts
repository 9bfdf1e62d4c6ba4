import type { DeployContext } from '../../orchestrator/types.js';
import type { EnvironmentState } from '../../state/schema.js';

/** Records which Railway deployment serves (active) and which one a rollback returns to (previous). */
export async function recordLive(
  ctx: DeployContext,
  live: { id: string; url: string },
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
      // Railway keeps no warm blue after overlapSeconds: the previous deployment is a rollback target, not a running process.
      previous: previous ? { release: previous, upstream: null, since: now, running: false } : state.previous,
      releases,
    };
  });
}
