import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isReleaseId } from '../platforms/local/release-id.js';
import type { DeployContext } from '../orchestrator/types.js';
import { listReleases, readRelease, releaseLogDir, releasesDir, verifiedMarker, type ReleaseInfo } from '../platforms/local/releases.js';

/** Marks a release as verified (it passed post-deploy verification once); retention counts only those. */
export async function markVerified(release: Pick<ReleaseInfo, 'dir'>, at = new Date()): Promise<void> {
  await writeFile(verifiedMarker(release.dir), at.toISOString() + '\n');
}

/** Pure: which complete releases stay. The newest `keep` verified ones and the protected ones; nothing else. */
export function releasesToKeep(releases: ReadonlyArray<Pick<ReleaseInfo, 'id' | 'verified'>>, keep: number, protect: ReadonlyArray<string | null | undefined>): Set<string> {
  const kept = new Set(protect.filter((id): id is string => Boolean(id)));
  const good = releases.filter((r) => r.verified).map((r) => r.id).sort();
  for (const id of good.slice(Math.max(0, good.length - keep))) kept.add(id);
  return kept;
}

/**
 * `releases.keep: N` keeps N verified releases. Failed and rolled-back ones (never verified) are deleted first and
 * never push a good one out; the active, the previous and the protected ones always stay. Incomplete directories
 * of failed builds go too. Returns the deleted ids.
 */
export async function pruneReleases(stateDir: string, keep: number, protect: ReadonlyArray<string | null | undefined>): Promise<string[]> {
  const base = releasesDir(stateDir);
  const kept = releasesToKeep(await listReleases(stateDir), keep, protect);
  const deleted: string[] = [];
  for (const name of await readdir(base).catch(() => [] as string[])) {
    if (kept.has(name)) continue;
    if (!isReleaseId(name) && !name.startsWith('.incoming-')) continue;
    if (name.startsWith('.incoming-') && name.includes(`-${process.pid}-`)) continue;
    await rm(join(base, name), { recursive: true, force: true });
    deleted.push(name);
  }
  return deleted;
}

/**
 * After a deploy: a verified release is marked as such, then retention runs and state.json forgets the deleted
 * releases. A failed deploy prunes too (keeping its own release for a look at its logs until the next deploy), so
 * failed releases never pile up. Returns the deleted ids.
 */
export async function retainAfterDeploy(
  ctx: Pick<DeployContext, 'config' | 'state' | 'log'>,
  release: { id: string; verified: boolean },
  protect: ReadonlyArray<string | null | undefined>,
): Promise<string[]> {
  const { config } = ctx;
  const info = await readRelease(config.stateDir, release.id);
  if (info && release.verified) await markVerified(info);
  const deleted = await pruneReleases(config.stateDir, config.releases.keep, [...protect, release.id]);
  if (deleted.length === 0) return deleted;
  const gone = new Set(deleted);
  await ctx.state.update((state) => ({ ...state, releases: state.releases.filter((r) => !gone.has(r.id)) }));
  ctx.log(`pruned releases: ${deleted.join(', ')}`);
  return deleted;
}
