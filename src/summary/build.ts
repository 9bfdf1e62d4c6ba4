import type { ReleaseDiff } from '../contracts/release-diff.js';
import type { DeployStatus, DeploySummary, MigrationsReport, PreCheckResult } from '../contracts/summary.js';
import { ExitCode } from '../errors.js';
import type { DeployOutcome } from '../orchestrator/types.js';

export interface SummaryInput {
  environment: string;
  strategy: string;
  platform: string;
  url: string;
  dryRun: boolean;
  pre: PreCheckResult[];
  /** What the driver reported; absent when nothing was deployed (blocked, dry run, crash). */
  outcome?: DeployOutcome | null;
  /** The release serving now; the rollback target when no outcome names one. */
  activeRelease?: string | null;
  durationMs: number;
  status?: DeployStatus;
  exitCode?: number;
  message?: string;
  steps?: string[];
  /** The plan steps the run executed, in order, as the plan prints them. */
  executed?: string[];
  /** --dry-run on platforms that apply manifests: one YAML document each. */
  manifests?: string[];
  /** What the run ships against the release it replaces (src/shipped/). */
  shipped?: ReleaseDiff | null;
  /** What the Migrations pre-check found and the migrate step did; null or absent without a migration tool. */
  migrations?: MigrationsReport | null;
}

const EXIT_BY_STATUS: Record<DeployStatus, number> = {
  success: ExitCode.ok,
  rolled_back: ExitCode.rolledBack,
  blocked: ExitCode.precheckFailed,
  failed: ExitCode.needsHuman,
};

export function rollbackCommand(environment: string, release: string | null | undefined): string {
  return release ? `deploy rollback ${environment} --to ${release}` : '';
}

/** Turns what a run knows into the one DeploySummary object (`--json` prints it as is). */
export function buildSummary(input: SummaryInput): DeploySummary {
  const outcome = input.outcome ?? null;
  const blocking = input.pre.find((c) => !c.ok && !c.warning);
  const status: DeployStatus = input.status ?? outcome?.status ?? (blocking ? 'blocked' : 'success');
  const exitCode = input.exitCode ?? outcome?.exitCode ?? (status === 'blocked' ? (blocking?.exitCode ?? ExitCode.precheckFailed) : EXIT_BY_STATUS[status]);
  const target = outcome ? outcome.previousRelease : (input.activeRelease ?? null);
  const summary: DeploySummary = {
    status,
    environment: input.environment,
    strategy: input.strategy,
    platform: input.platform,
    url: input.url,
    dryRun: input.dryRun,
    release: outcome ? { id: outcome.release.id, version: outcome.release.version, commit: outcome.release.commit } : { id: '', version: '', commit: null },
    checks: { pre: input.pre, post: outcome?.post ?? [] },
    rollback: {
      performed: outcome?.rollback.performed ?? false,
      reason: outcome?.rollback.reason ?? null,
      command: rollbackCommand(input.environment, target),
      ...(outcome?.rollback.verified === undefined ? {} : { verified: outcome.rollback.verified }),
    },
    durationMs: Math.round(input.durationMs),
    exitCode,
  };
  const message = input.message ?? outcome?.message;
  if (message) summary.message = message;
  if (outcome?.logTail?.length) summary.logTail = outcome.logTail;
  if (outcome?.rollbackPlanPath) summary.rollbackPlanPath = outcome.rollbackPlanPath;
  if (outcome?.verification) summary.verification = outcome.verification;
  if (input.shipped) summary.shipped = input.shipped;
  if (input.migrations) summary.migrations = input.migrations;
  if (outcome?.steps?.length) summary.steps = outcome.steps;
  if (!input.dryRun && input.executed?.length) summary.executed = input.executed;
  if (input.dryRun && input.steps) summary.plan = input.manifests ? { steps: input.steps, manifests: input.manifests } : { steps: input.steps };
  return summary;
}
