import { formatDuration } from '../config/duration.js';
import type { DoraStats } from './dora.js';

/** The human lines of `deploy history --stats` for one environment. */
export function formatStats(environment: string, s: DoraStats): string[] {
  const time = (ms: number | null) => (ms === null ? 'n/a' : formatDuration(ms));
  const rate = s.changeFailureRate.rate === null ? 'n/a' : `${Math.round(s.changeFailureRate.rate * 1000) / 10}%`;
  return [
    `${environment}: ${s.deploys} deploys in ${s.periodDays} days (${s.deploysPerDay} a day)`,
    `  Deployment frequency: ${s.deploysPerDay} a day`,
    `  Lead time for changes: ${time(s.leadTime.medianMs)} median, commit to verified (${s.leadTime.count} deploys)`,
    `  Change failure rate: ${rate} (${s.changeFailureRate.failed} of ${s.changeFailureRate.deploys} rolled back or left for a human)`,
    `  Time to restore: ${time(s.timeToRestore.medianMs)} median (${s.timeToRestore.count} failures)`,
  ];
}
