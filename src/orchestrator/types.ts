import type { ResolvedEnvironment } from '../config/types.js';
import type { DeployStatus, DeploySummary, PostCheckResult, PreCheckResult } from '../contracts/summary.js';
import type { Executor } from '../exec/executor.js';
import type { StateStore } from '../state/store.js';
import type { Clock } from '../verify/clock.js';
import type { Journal, JournalWriter, RecoveryResult } from '../journal/journal.js';
import type { DeployPlan } from './plan.js';
import type { ProgressEvent } from './messages.js';
import type { StepId } from '../rollout/steps.js';

/**
 * The seams the router, platform and check issues plug into. The orchestrator child builds one
 * DeployContext per run and hands it to every pre-check and to the platform driver.
 */
export interface DeployContext {
  plan: DeployPlan;
  /** Same object as plan.config: the environment, merged and typed. */
  config: ResolvedEnvironment;
  /** The only way to run a command; it skips `mutates` commands under --dry-run and redacts secrets. */
  executor: Executor;
  /** Reports progress to the parent, which renders it (spinner, plain line, or nothing with --json). */
  emit(event: ProgressEvent): void;
  /** Aborted on Ctrl-C, SIGTERM or the run deadline; long waits must honour it. */
  signal: AbortSignal;
  clock: Clock;
  state: StateStore;
  /** Registers cleanup that runs when the run ends, whatever the outcome (last registered runs first). */
  defer(cleanup: () => Promise<void> | void): void;
  /** Debug line, shown with --verbose only. Redacted. */
  log(line: string): void;
  /** Records that the run executes a plan step (src/rollout/steps.ts): the summary lists them, a test compares them with the plan. */
  step(id: StepId): void;
  /** The run's write-ahead journal (deploy and rollback only): flows record each phase before acting. */
  journal?: JournalWriter;
}

/**
 * One pre-deployment check. Every check also runs under --dry-run and changes nothing there: what it would change
 * goes through the executor (which skips `mutates` commands under --dry-run) or looks at `plan.dryRun` (the rollback
 * plan is shown, not written). Applying migrations is a deploy step, never a check.
 */
export interface PreCheck {
  name: string;
  run(ctx: DeployContext): Promise<PreCheckResult>;
}

/** What a driver reports back after a deploy or a rollback; the orchestrator turns it into the summary. */
export interface DeployOutcome {
  status: DeployStatus;
  release: { id: string; version: string; commit: string | null; contentHash?: string | null };
  /** The release traffic returns to with `deploy rollback <env> --to <id>`; null on a first deploy. */
  previousRelease: string | null;
  post: PostCheckResult[];
  rollback: { performed: boolean; reason: string | null; verified?: boolean };
  /** Overrides the exit code derived from status (e.g. 4 when a rollback could not be verified). */
  exitCode?: number;
  message?: string;
  logTail?: string[];
  rollbackPlanPath?: string;
  /** Canary steps with their figures, listed in --json. */
  steps?: DeploySummary['steps'];
  /** True when post-deployment verification passed; the production gate reads it from history. */
  verified?: boolean;
  /** How verification decided, with its sample counts. */
  verification?: DeploySummary['verification'];
}

export interface PlatformStatus {
  url: string;
  active: { release: string; upstream: string | null; uptimeMs?: number | null } | null;
  previous: { release: string; upstream: string | null; running: boolean } | null;
  detail?: string;
}

export interface StopOutcome {
  stopped: string[];
  message?: string;
}

/**
 * A platform: src/platforms/<name>/driver.ts exports `createDriver(): PlatformDriver`
 * (or a default export). Loaded lazily by name, only when a run needs it.
 */
export interface PlatformDriver {
  readonly name: string;
  deploy(ctx: DeployContext): Promise<DeployOutcome>;
  rollback(ctx: DeployContext, to?: string): Promise<DeployOutcome>;
  status(ctx: DeployContext): Promise<PlatformStatus>;
  stop(ctx: DeployContext): Promise<StopOutcome>;
  /** --dry-run: the exact manifests and patches a real run would apply, one YAML document each. Read-only. */
  describePlan?(ctx: DeployContext): Promise<{ manifests: string[] }>;
  history?(ctx: DeployContext): Promise<Array<{ id: string; status: string; createdAt: string; ours: string | null; by: string | null }>>;
  /** Finishes what a killed run left behind (its journal): traffic to the last verified release, orphans stopped. */
  recover?(ctx: DeployContext, journal: Journal): Promise<RecoveryResult>;
}
