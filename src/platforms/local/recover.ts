import type { Journal, RecoveryResult } from '../../journal/journal.js';
import type { DeployContext } from '../../orchestrator/types.js';
import type { RouterClient } from '../../router/client.js';
import type { ReleaseRunner } from '../../rollout/target.js';
import { slotFor } from '../../rollout/slots.js';
import { flowTiming, type FlowTiming } from '../../rollout/timing.js';
import { waitReady } from '../../rollout/wait-ready.js';
import { readRelease } from './releases.js';


/**
 * Recovers after a deployment whose orchestrator died (journal left behind): traffic goes to (or stays on) the
 * last verified release, the orphaned green is stopped, state.json is made to say so. The runtime (router +
 * supervisor) was already restarted from its saved table by ensureRouter when it had died too.
 */
export async function recoverLocal(ctx: DeployContext, router: RouterClient, runner: ReleaseRunner, journal: Journal, timingOverrides?: Partial<FlowTiming>): Promise<RecoveryResult> {
  const config = ctx.config;
  const timing = flowTiming(config, timingOverrides);
  // A rollback moves traffic to a release that was verified before: once it switched, it stays there.
  const target = journal.kind === 'rollback' && journal.switched ? journal.switched.to : journal.from;
  const orphan = journal.release ?? journal.green?.id ?? null;
  const stopped: string[] = [];
  // Green is stopped only once traffic is off it (it may be serving when the orchestrator died after the switch).
  const stopOrphan = async () => {
    if (orphan && orphan !== target && (await runner.running(orphan).catch(() => null))) {
      await runner.stop(orphan, timing.stopTimeoutMs);
      stopped.push(orphan);
    }
  };
  const table = (await router.status()).table;
  if (!target) {
    await stopOrphan();
    const message = `${journal.kind} of ${orphan ?? 'a release'} was interrupted during ${journal.phase}; it was the first release, so ${stopped.length ? `${orphan} was stopped and ` : ''}nothing serves ${config.environment} now`;
    await ctx.state.update((s) => ({ ...s, active: s.active && s.active.release === orphan ? { ...s.active, running: false } : s.active }));
    return { active: null, stopped, message, ok: true };
  }
  let running = await runner.running(target).catch(() => null);
  let started = false;
  if (!running) {
    const meta = await readRelease(config.stateDir, target);
    if (!meta) return { active: table.active?.id ?? null, stopped, ok: false, message: `${journal.kind} was interrupted during ${journal.phase} and release ${target} is gone from the kept releases of ${config.environment}; traffic is on ${table.active?.id ?? 'nothing'}` };
    running = await runner.start(meta);
    const ready = await waitReady(runner, running, timing.health, ctx.signal);
    if (!ready.ok) {
      await runner.stop(running.id, timing.stopTimeoutMs).catch(() => undefined);
      return { active: table.active?.id ?? null, stopped, ok: false, message: `${journal.kind} was interrupted during ${journal.phase}; restarting ${target} failed (${ready.detail})` };
    }
    started = true;
  }
  const moved = table.active?.id !== running.id || table.active.url !== running.url || table.canary !== null;
  if (moved) await router.setActive({ id: running.id, url: running.url }, { drainTimeoutMs: config.drainTimeoutMs });
  await runner.setActive(running.id, true);
  await stopOrphan();
  const slot = slotFor(running);
  await ctx.state.update((s) => {
    const previous = s.active && s.active.release !== running.id ? (stopped.includes(s.active.release) ? null : { ...s.active, running: false }) : s.previous;
    return { ...s, active: s.active?.release === running.id ? { ...s.active, upstream: slot.upstream, running: true } : slot, previous: previous && previous.release === orphan ? null : previous };
  });
  const what = moved ? `traffic moved back to ${running.id}` : `traffic stayed on ${running.id}`;
  const message = `${journal.kind}${orphan ? ` of ${orphan}` : ''} was interrupted during ${journal.phase}: ${what}${started ? ' (restarted)' : ''}${stopped.length ? `, ${stopped.join(', ')} stopped` : ''}`;
  return { active: running.id, stopped, message, ok: true };
}
