/** The flag table of one environment, as kept in `.deploy/<env>/flags.json` and pushed to the router. */
export interface FlagState {
  /** Off means nobody gets the flag, whatever the percentage. */
  enabled: boolean;
  /** Share of users (0–100) that get the flag while it is enabled. */
  percent: number;
  updatedAt: string;
}

export interface FlagTable {
  version: number;
  /** Request header whose value keys the sticky assignment (e.g. x-user-id); the router's cookie otherwise. */
  userHeader: string | null;
  flags: Record<string, FlagState>;
}

export const FLAGS_FILE = 'flags.json';
export const FLAGS_AUDIT_FILE = 'flags-audit.jsonl';
/** Request header the router sets for the app: the flags on for this request, comma separated. */
export const FLAGS_HEADER = 'x-shipgate-flags';
/** Cookie that keeps a client's flag assignment stable when no user header is configured or sent. */
export const FLAGS_COOKIE = 'shipgate_flags';
export const FLAG_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/i;

export function emptyFlagTable(): FlagTable {
  return { version: 0, userHeader: null, flags: {} };
}

/** True when the flag is on for a percentage (0–100) and the client's bucket. */
export function isOn(state: FlagState, bucket: number): boolean {
  return state.enabled && bucket < state.percent;
}
