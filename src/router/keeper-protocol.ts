/** Messages between the keeper (src/router/keeper.ts) and the runtime it runs, over the fork IPC channel. */

/** Keeper -> runtime, once, with the listening socket attached. */
export interface KeeperHello {
  type: 'listen';
  keeperPid: number;
  /** 1 for the first runtime, then +1 per restart. */
  starts: number;
  /** What earlier runtimes stashed (in the keeper's memory only). */
  stash: Record<string, unknown>;
  /** The crash this runtime replaces; null on a first start. */
  restartedAfter: { pid: number; code: number | null; signal: string | null; at: string } | null;
}

export type KeeperMessage = KeeperHello;

/** Runtime -> keeper: keep `value` under `key` for the next runtime (null forgets it); `ready` once it serves. */
export type RuntimeMessage = { type: 'stash'; key: string; value: unknown } | { type: 'ready' };
