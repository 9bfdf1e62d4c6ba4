import type { GuardSnapshot } from './types.js';

/** The guard's line in `deploy status <env>`, e.g. "watching, 12m 30s left: Error Rate 0.1%, Response Times 245ms p95". */
export function describeGuard(s: GuardSnapshot): string {
  const figures = s.lastFigures.map((f) => `${f.name} ${f.value}${f.ok ? '' : ' (!)'}`).join(', ');
  switch (s.state) {
    case 'watching': {
      const head = `watching, ${formatLeft(s.remainingMs)} left`;
      const detail = s.note ?? figures;
      return detail ? `${head}: ${detail}` : head;
    }
    case 'breached': {
      const what = s.decision?.action === 'rollback' ? 'rolled back' : 'alerted (previous release not warm)';
      return `breached, ${what}: ${s.decision?.reason ?? s.note ?? 'unknown'}`;
    }
    case 'expired':
      return `ended without a breach${figures ? `: ${figures}` : ''}`;
    case 'stopped':
      return s.startedAt === null ? 'not running' : 'stopped early';
  }
}

function formatLeft(ms: number): string {
  const total = Math.ceil(ms / 1000);
  const m = Math.floor(total / 60);
  const sec = total % 60;
  return m > 0 ? `${m}m ${sec}s` : `${sec}s`;
}
