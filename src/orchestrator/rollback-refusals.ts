import { ExitCode, UserError } from '../errors.js';
import type { StateStore } from '../state/store.js';

/**
 * A rollback to the release state.json already has active is refused before anything is touched (no lock, journal,
 * runtime or guard): exit 2, "nothing changed". Bringing a stopped or crashed active release back is not a rollback.
 */
export async function refuseRollbackToActive(state: StateStore, environment: string, to: string | null): Promise<void> {
  if (to === null || !state.exists()) return;
  const active = (await state.read()).active?.release ?? null;
  if (to === active) throw new UserError(`release ${to} is already active on ${environment}; nothing changed`, ExitCode.usage);
}
