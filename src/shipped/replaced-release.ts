import type { HistoryRecord } from '../contracts/history.js';
import type { EnvironmentState } from '../state/schema.js';

export interface ReleaseRef {
  release: string;
  commit: string | null;
}

/** history.jsonl, read only when state.json does not answer. */
export type HistoryReader = () => Promise<HistoryRecord[]>;

/**
 * The release a deploy replaces: the active one, with its commit from state.json or, when state no longer lists it,
 * from the history records. Without an active release (stopped), the last release that served successfully.
 * Null when nothing was ever deployed: a first release.
 */
export async function replacedRelease(state: EnvironmentState, history: HistoryReader): Promise<ReleaseRef | null> {
  const active = state.active?.release;
  if (active) return { release: active, commit: await commitOf(active, state, history) };
  const served = lastOf(await history(), (r) => (r.type === 'deploy' || r.type === 'rollback') && r.status === 'success' && Boolean(r.release?.id));
  return served?.release ? { release: served.release.id, commit: served.release.commit } : null;
}

/** A known release's commit: state.json's release list first, then history. */
export async function commitOf(release: string, state: EnvironmentState, history: HistoryReader): Promise<string | null> {
  const listed = state.releases.find((r) => r.id === release);
  if (listed) return listed.commit;
  return lastOf(await history(), (r) => r.release?.id === release && Boolean(r.release.commit))?.release?.commit ?? null;
}

function lastOf(records: HistoryRecord[], match: (r: HistoryRecord) => boolean): HistoryRecord | undefined {
  for (let i = records.length - 1; i >= 0; i--) if (match(records[i]!)) return records[i];
  return undefined;
}
