import type { ReleaseDiff } from './release-diff.js';
import type { PostCheckResult, PreCheckResult, VerificationReport } from './summary.js';

/** One line of `.deploy/<env>/history.jsonl`. Append-only; never holds a secret value. */
export interface HistoryRecord {
  ts: string;
  type: 'deploy' | 'rollback' | 'recovery' | 'restart' | 'lock-takeover' | 'guard' | 'stop' | 'notify-failure';
  environment: string;
  status: 'success' | 'rolled_back' | 'failed' | 'blocked' | 'interrupted' | 'recovered' | 'info';
  /** True only when post-deployment verification passed; the production gate reads this. */
  verified: boolean;
  release?: { id: string; version: string; commit: string | null; contentHash: string | null };
  previous?: string | null;
  user: string;
  host: string;
  checks?: { pre: PreCheckResult[]; post: PostCheckResult[] };
  durationMs?: number;
  reason?: string;
  forced?: { reason: string };
  detail?: string;
  /** The run's exit code, when it was not 0. */
  exitCode?: number;
  /** How post-deployment verification decided, with its sample counts. */
  verification?: VerificationReport;
  /** Exit 4: a human is needed. What failed, e.g. "rolled back, but r-1 fails its own checks (GET / answered 500)". */
  needsHuman?: string;
  /** What shipped since the release it replaced: commits, migration files, dependency changes. */
  shipped?: ReleaseDiff;
}
