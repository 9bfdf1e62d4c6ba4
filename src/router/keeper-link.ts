import type { KeeperHello, RuntimeMessage } from './keeper-protocol.js';

/** The runtime's side of its keeper (src/router/keeper.ts): the listening socket, and memory that outlives a crash. */
export interface KeeperLink {
  readonly keeperPid: number;
  /** 1 for the first runtime of this keeper, then +1 per restart after a crash. */
  readonly starts: number;
  readonly restartedAfter: KeeperHello['restartedAfter'];
  /** The bound public socket, for `server.listen(handle)`. */
  readonly handle: unknown;
  /** What an earlier runtime stashed under `key`. */
  restored<T>(key: string): T | undefined;
  /** Kept in the keeper's memory for the next runtime; null forgets. Never written to disk. */
  stash(key: string, value: unknown): void;
  /** Tells the keeper this runtime serves (a later exit is a crash, not a failed start). */
  ready(): void;
}

/** Waits for the keeper's hello on the IPC channel (the runtime was forked by a keeper with `--keeper`). */
export function waitForKeeper(timeoutMs = 10_000): Promise<KeeperLink> {
  return new Promise((resolve, reject) => {
    if (!process.send) return reject(new Error('--keeper given but there is no IPC channel to a keeper'));
    const timer = setTimeout(() => reject(new Error(`no socket from the keeper within ${timeoutMs} ms`)), timeoutMs);
    process.once('message', (message: KeeperHello, handle: unknown) => {
      clearTimeout(timer);
      if (message?.type !== 'listen' || !handle) return reject(new Error('the keeper sent no listening socket'));
      const stash = new Map(Object.entries(message.stash ?? {}));
      const send = (payload: RuntimeMessage) => {
        if (process.connected) process.send!(payload);
      };
      resolve({
        keeperPid: message.keeperPid,
        starts: message.starts,
        restartedAfter: message.restartedAfter,
        handle,
        restored: <T>(key: string) => stash.get(key) as T | undefined,
        stash: (key, value) => send({ type: 'stash', key, value: value ?? null }),
        ready: () => send({ type: 'ready' }),
      });
    });
  });
}
