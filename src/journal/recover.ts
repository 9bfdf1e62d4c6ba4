import { hostname, userInfo } from 'node:os';
import type { HistoryRecord } from '../contracts/history.js';
import type { DeployContext, PlatformDriver } from '../orchestrator/types.js';
import { clearJournal, isInterrupted, readJournal, type RecoveryResult } from './journal.js';

/**
 * Called by the orchestrator once it holds the deploy lock: a journal left by a killed run (its writer is dead)
 * is recovered by the platform, history records the interruption and the recovery, and the user gets one line.
 * Returns null when there was nothing to recover.
 */
export async function recoverInterrupted(ctx: DeployContext, driver: PlatformDriver): Promise<RecoveryResult | null> {
  const stateDir = ctx.config.stateDir;
  const journal = await readJournal(stateDir);
  if (!isInterrupted(journal)) return null;
  const started = ctx.clock.now();
  const base = { environment: ctx.config.environment, user: currentUser(), host: hostname() };
  await ctx.state.appendHistory({
    ...base,
    ts: new Date().toISOString(),
    type: journal.kind,
    status: 'interrupted',
    verified: false,
    previous: journal.from,
    detail: `interrupted during ${journal.phase} (orchestrator pid ${journal.pid} gone)${journal.release ? `; release ${journal.release}` : ''}`,
  } satisfies HistoryRecord);
  if (!driver.recover) {
    await clearJournal(stateDir);
    const message = `a ${journal.kind} was interrupted during ${journal.phase}; platform ${driver.name} has no automatic recovery: check \`deploy status ${ctx.config.environment}\``;
    ctx.emit({ phase: 'recovery', state: 'warn', message });
    return { active: null, stopped: [], message, ok: false };
  }
  ctx.emit({ phase: 'recovery', state: 'start', message: `recovering an interrupted ${journal.kind} (${journal.phase})` });
  let result: RecoveryResult;
  try {
    result = await driver.recover(ctx, journal);
  } catch (error) {
    result = { active: null, stopped: [], ok: false, message: `recovery of the interrupted ${journal.kind} failed: ${error instanceof Error ? error.message : String(error)}` };
  }
  const durationMs = Math.round(ctx.clock.now() - started);
  await ctx.state.appendHistory({
    ...base,
    ts: new Date().toISOString(),
    type: 'recovery',
    status: result.ok ? 'recovered' : 'failed',
    verified: false,
    previous: journal.from,
    durationMs,
    detail: result.message,
  } satisfies HistoryRecord);
  // A failed recovery keeps the journal: the next run tries again.
  if (result.ok) await clearJournal(stateDir);
  ctx.emit({ phase: 'recovery', state: result.ok ? 'warn' : 'fail', message: `${result.ok ? 'recovered: ' : ''}${result.message} (${durationMs} ms)` });
  return result;
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}
