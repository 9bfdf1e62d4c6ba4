import { describe, expect, it } from 'vitest';
import { batches, rollHosts } from '../../src/remote/roll-hosts.js';

/** Hosts as names; a run's result says whether it went well; every call is recorded in order. */
function actions(failing: string[], options: { undo?: boolean } = {}) {
  const calls: string[] = [];
  let running = 0;
  let mostAtOnce = 0;
  const act = async (what: string, host: string) => {
    calls.push(`${what} ${host}`);
    running += 1;
    mostAtOnce = Math.max(mostAtOnce, running);
    await Promise.resolve();
    running -= 1;
    return { host, ok: what === 'undo' || !failing.includes(host) };
  };
  return {
    calls,
    mostAtOnce: () => mostAtOnce,
    run: (host: string) => act('run', host),
    ok: (result: { ok: boolean }) => result.ok,
    undo: options.undo === false ? undefined : (host: string) => act('undo', host),
  };
}

describe('rolling over several hosts', () => {
  it('splits hosts into batches in order', () => {
    expect(batches(['a', 'b', 'c', 'd', 'e'], 2)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(batches(['a', 'b'], 5)).toEqual([['a', 'b']]);
  });

  it('one at a time: every host runs, in order, none at once', async () => {
    const a = actions([]);
    const fates = await rollHosts(['a', 'b', 'c'], 1, a);
    expect(a.calls).toEqual(['run a', 'run b', 'run c']);
    expect(a.mostAtOnce()).toBe(1);
    expect(fates.map((f) => f.state)).toEqual(['done', 'done', 'done']);
  });

  it('host 2 fails: host 1 is undone, host 3 never starts', async () => {
    const a = actions(['b']);
    const failures: string[][] = [];
    const fates = await rollHosts(['a', 'b', 'c'], 1, { ...a, onFailure: (failed, undoing) => failures.push([...failed, String(undoing)]) });
    expect(a.calls).toEqual(['run a', 'run b', 'undo a']);
    expect(fates.map((f) => f.state)).toEqual(['undone', 'failed', 'untouched']);
    expect(failures).toEqual([['b', '1']]);
  });

  it('batch: N runs N at once; a failure undoes the batch and every batch before, newest first', async () => {
    const a = actions(['d']);
    const fates = await rollHosts(['a', 'b', 'c', 'd', 'e'], 2, a);
    expect(a.calls).toEqual(['run a', 'run b', 'run c', 'run d', 'undo c', 'undo a', 'undo b']);
    expect(a.mostAtOnce()).toBe(2);
    expect(fates.map((f) => f.state)).toEqual(['undone', 'undone', 'undone', 'failed', 'untouched']);
  });

  it('a failure in the first host undoes nothing', async () => {
    const a = actions(['a']);
    const fates = await rollHosts(['a', 'b'], 1, a);
    expect(a.calls).toEqual(['run a']);
    expect(fates.map((f) => f.state)).toEqual(['failed', 'untouched']);
  });

  it('without an undo (stop, rollback) a failure only stops the roll', async () => {
    const a = actions(['b'], { undo: false });
    const fates = await rollHosts(['a', 'b', 'c'], 1, a);
    expect(a.calls).toEqual(['run a', 'run b']);
    expect(fates.map((f) => f.state)).toEqual(['done', 'failed', 'untouched']);
  });
});
