/** What became of one host in a run over several hosts. */
export type HostFate<R> =
  /** Its run ended well and stayed so. */
  | { host: number; state: 'done'; run: R }
  /** Its run failed (and rolled itself back, or needs a human): the run's own summary says which. */
  | { host: number; state: 'failed'; run: R }
  /** Its run ended well, then a later failure put it back on its release; `undo` is that rollback's run. */
  | { host: number; state: 'undone'; run: R; undo: R }
  /** Not reached: a batch before it failed. */
  | { host: number; state: 'untouched' };

export interface RollActions<H, R> {
  run(host: H): Promise<R>;
  ok(result: R): boolean;
  /** Puts a host that ended well back on the release it had; absent for runs with nothing to undo (stop, rollback). */
  undo?: (host: H) => Promise<R>;
  /** Called when a batch failed, before any undo, with how many hosts that ended well are being put back. */
  onFailure?: (failed: H[], undoing: number) => void;
}

/** Splits hosts into consecutive batches of `size` (the last may be smaller). */
export function batches<H>(hosts: readonly H[], size: number): H[][] {
  const out: H[][] = [];
  for (let i = 0; i < hosts.length; i += Math.max(1, size)) out.push(hosts.slice(i, i + Math.max(1, size)));
  return out;
}

/**
 * Runs `size` hosts at a time, each batch to its end before the next starts. When a host of a batch fails, no later
 * batch starts, and every host that ended well (in that batch and all before it) is undone, newest batch first, a
 * batch at a time: all of them end on the release they had. Fates come back in the hosts' order.
 */
export async function rollHosts<H, R>(hosts: readonly H[], size: number, actions: RollActions<H, R>): Promise<HostFate<R>[]> {
  const fates: HostFate<R>[] = hosts.map((_, host) => ({ host, state: 'untouched' }));
  const groups = batches(hosts.map((_, i) => i), size);
  for (const [index, group] of groups.entries()) {
    const runs = await Promise.all(group.map((i) => actions.run(hosts[i])));
    group.forEach((i, k) => (fates[i] = { host: i, state: actions.ok(runs[k]) ? 'done' : 'failed', run: runs[k] }));
    if (runs.every((r) => actions.ok(r))) continue;
    if (!actions.undo) return fates;
    const undo = actions.undo;
    const toUndo = groups.slice(0, index + 1).map((g) => g.filter((i) => fates[i].state === 'done'));
    actions.onFailure?.(group.filter((i) => fates[i].state === 'failed').map((i) => hosts[i]), toUndo.flat().length);
    for (const batch of toUndo.reverse()) {
      const undone = await Promise.all(batch.map((i) => undo(hosts[i])));
      batch.forEach((i, k) => {
        const fate = fates[i];
        if (fate.state === 'done') fates[i] = { host: i, state: 'undone', run: fate.run, undo: undone[k] };
      });
    }
    return fates;
  }
  return fates;
}
