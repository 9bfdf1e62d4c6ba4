import type { ResolvedEnvironment } from '../config/types.js';
import { formatDuration } from '../config/duration.js';
import { formatPercent } from '../config/percent.js';

/**
 * One step of a run's plan. `--dry-run` prints `text`; the engine (or a remote platform's driver) reports `id`
 * through `ctx.step(id)` when it executes the step, and a test compares the two lists for every platform and
 * strategy. Steps marked `onFailure` run only when something failed.
 */
export interface PlanStep {
  id: StepId;
  text: string;
  onFailure?: true;
}

export type StepId =
  | 'pre-checks'
  | 'release'
  | 'build'
  | 'image'
  | 'settings'
  | 'migrate'
  | 'start'
  | 'smoke'
  | 'switch'
  | `traffic ${number}%`
  | 'verify'
  | 'retire'
  | 'switch-back'
  | 'withdraw'
  | 'post-deploy'
  | 'post-rollback';

export const step = (id: StepId, text: string, onFailure = false): PlanStep => (onFailure ? { id, text, onFailure: true } : { id, text });

/** The canary's traffic steps, one per share; the last (100%) is the promotion. */
export function trafficSteps(config: ResolvedEnvironment, where: string, approximate: boolean): PlanStep[] {
  const percents = config.canary.steps.map((f) => Math.round(f * 100));
  const per = formatDuration(config.canary.intervalMs);
  return percents.map((p) =>
    step(`traffic ${p}%`, p === 100 ? `promote: 100% of ${where} to green, judged alone for ${per}` : `canary ${p}% of ${where}${approximate ? ' (approximate split)' : ''} for ${per}, compared with stable`),
  );
}

export function verifyText(config: ResolvedEnvironment, through: string): string {
  const database = config.verify.database ? ', database' : '';
  return `verify ${formatDuration(config.verify.windowMs)}${through}: error rate < ${formatPercent(config.verify.errorRate)}, p95 < ${formatDuration(config.verify.p95Ms)}, ≥${config.verify.minRequests} requests, smoke${database}`;
}

export function smokeList(config: ResolvedEnvironment): string {
  return config.verify.smoke.map((s) => `${s.method} ${s.path}`).join(', ') || 'none';
}
