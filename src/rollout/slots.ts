import type { EnvironmentState, Slot } from '../state/schema.js';
import type { StateStore } from '../state/store.js';
import type { ReleaseMeta, RunningRelease } from './target.js';

export function slotFor(release: RunningRelease, running = true, since = new Date()): Slot {
  return { release: release.id, upstream: (release.upstream ?? release.url).replace(/^http:\/\//, ''), since: since.toISOString(), running };
}

export function upstreamUrl(slot: Slot): string | null {
  return slot.upstream ? `http://${slot.upstream}` : null;
}

/** Adds (or refreshes) the release in the state's release list. */
export function withRelease(state: EnvironmentState, release: ReleaseMeta, createdAt = new Date()): EnvironmentState {
  const releases = state.releases.filter((r) => r.id !== release.id);
  releases.push({ id: release.id, version: release.version, commit: release.commit, contentHash: release.contentHash, createdAt: createdAt.toISOString() });
  return { ...state, releases };
}

/** After `deploy stop`: the slots stay recorded (a later deploy or rollback starts from them), marked not running. */
export async function markNothingRunning(state: Pick<StateStore, 'exists' | 'update'>): Promise<void> {
  if (!state.exists()) return;
  await state.update((current) => ({
    ...current,
    active: current.active ? { ...current.active, running: false } : null,
    previous: current.previous ? { ...current.previous, running: false } : null,
  }));
}
