import type { HistoryRecord } from '../contracts/history.js';

/** The four DORA figures from our own history (`deploy history --stats`). */
export interface DoraStats {
  /** Deploys that reached traffic: succeeded, rolled back, or left for a human (exit 4). Blocked ones, and green failing before the switch, never did. */
  deploys: number;
  periodDays: number;
  deploysPerDay: number;
  /** Commit time -> verified, over verified deploys whose commit time is known. */
  leadTime: { medianMs: number | null; count: number };
  /** Rolled back or left for a human, over deploys. */
  changeFailureRate: { failed: number; deploys: number; rate: number | null };
  /**
   * Failure -> traffic on a verified release again. An automatic rollback restores right after the decision,
   * so its time is the watch from the switch to the decision; a failure left for a human lasts until the next
   * verified rollback or verified deploy.
   */
  timeToRestore: { medianMs: number | null; count: number };
}

const DAY_MS = 86_400_000;

export function doraStats(records: HistoryRecord[], commitTimeMs: (commit: string) => number | null): DoraStats {
  const sorted = [...records].sort((a, b) => a.ts.localeCompare(b.ts));
  const deploys = sorted.filter((r) => r.type === 'deploy' && (r.status === 'success' || isFailure(r)));
  const times = deploys.map((r) => Date.parse(r.ts));
  const periodMs = times.length > 1 ? Math.max(...times) - Math.min(...times) : 0;
  // A single day at least: three deploys in an afternoon are three deploys a day, not thousands.
  const periodDays = Math.max(1, periodMs / DAY_MS);

  const leads: number[] = [];
  for (const r of deploys) {
    if (!r.verified || !r.release?.commit) continue;
    const committed = commitTimeMs(r.release.commit);
    if (committed !== null) leads.push(Math.max(0, Date.parse(r.ts) - committed));
  }

  const failures = deploys.filter(isFailure);
  const restores: number[] = [];
  for (const failure of failures) {
    if (failure.status === 'rolled_back' && failure.verification) {
      restores.push(failure.verification.decidedAtMs);
      continue;
    }
    const at = Date.parse(failure.ts);
    const back = sorted.find((r) => Date.parse(r.ts) > at && r.verified && (r.type === 'rollback' || r.type === 'deploy'));
    const manual = sorted.find((r) => Date.parse(r.ts) > at && r.type === 'rollback' && r.status === 'success');
    const restored = [back, manual].filter((r): r is HistoryRecord => !!r).map((r) => Date.parse(r.ts));
    if (restored.length > 0) restores.push(Math.min(...restored) - at);
  }

  return {
    deploys: deploys.length,
    periodDays: Math.round(periodDays * 10) / 10,
    deploysPerDay: Math.round((deploys.length / periodDays) * 100) / 100,
    leadTime: { medianMs: median(leads), count: leads.length },
    changeFailureRate: { failed: failures.length, deploys: deploys.length, rate: deploys.length ? failures.length / deploys.length : null },
    timeToRestore: { medianMs: median(restores), count: restores.length },
  };
}

function isFailure(r: HistoryRecord): boolean {
  return r.status === 'rolled_back' || (r.status === 'failed' && !!r.needsHuman);
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
