import type { DeployContext, PreCheck } from '../orchestrator/types.js';
import type { DeployPlan } from '../orchestrator/plan.js';
import type { PreCheckResult } from '../contracts/summary.js';
import { ExitCode } from '../errors.js';
import { checkFindings, migrationsInput, platformChecksModule } from './findings.js';
import { runHook, type HookContext, type HookName, type HookOutcome } from './hooks.js';
import { applyMigrations, MigrationError, type AppliedMigrations, type MigrationsInput } from './migrations/index.js';
import { PRE_CHECKS } from './registry.js';
import { recordRollbackPlanProgress } from './rollback-plan.js';
import { preCheckOutputs } from './run-outputs.js';

export { preCheckOutputs, type PreCheckOutputs } from './run-outputs.js';
export { MigrationError } from './migrations/index.js';
export { migrationsInput } from './findings.js';

/**
 * The pre-deployment checks of a deploy: the registry's checks the plan names (src/checks/registry.ts), in their
 * order, then the platform's own. They run in parallel; the ones that need another's finding share one memoised run
 * of it (src/checks/findings.ts). All are safe under --dry-run: nothing they do changes the deployment (the
 * rollback plan is not written and the pre-deploy hook is not run under --dry-run).
 */
export async function buildPreChecks(plan: DeployPlan): Promise<PreCheck[]> {
  if (plan.kind !== 'deploy') return [];
  const findings = checkFindings(plan);
  const wanted = PRE_CHECKS.filter((spec) => plan.preChecks.includes(spec.name));
  const built = await Promise.all(wanted.map((spec) => spec.build?.(plan, findings) ?? null));
  const checks = [...built.filter((c): c is PreCheck => c !== null), ...(await platformPreChecks(plan))];
  return checks.map((check) => ({ ...check, run: (ctx: DeployContext) => untilAborted(check.name, ctx.signal, check.run(ctx)) }));
}

/** Loads every check's code (the orchestrator starts it before its plan arrives). */
export async function preloadPreChecks(): Promise<void> {
  await Promise.all(PRE_CHECKS.map((spec) => spec.load?.()));
}

/** A platform's own checks (engine reachable, token valid, …). */
async function platformPreChecks(plan: DeployPlan): Promise<PreCheck[]> {
  const mod = await platformChecksModule(plan);
  return mod?.platformPreChecks ? await mod.platformPreChecks(plan) : [];
}

/**
 * Ctrl-C or the run deadline must not wait for a 10-minute test suite: the check reports
 * "interrupted" at once, so the run can end and release its lock. (The executor has no cancel
 * signal yet; a command already running stops at its own timeout.)
 */
function untilAborted(name: string, signal: AbortSignal, work: Promise<PreCheckResult>): Promise<PreCheckResult> {
  const interrupted = (): PreCheckResult => ({ name, ok: false, detail: 'interrupted', exitCode: ExitCode.precheckFailed });
  if (signal.aborted) return Promise.resolve(interrupted());
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(interrupted());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (result) => {
        signal.removeEventListener('abort', onAbort);
        resolve(result);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

export interface ApplyOptions {
  /** The new release's id, recorded in the rollback plan. */
  nextReleaseId?: string;
  /** Override inputs, e.g. `dir` inside the release directory or the app's environment. */
  overrides?: Partial<Omit<MigrationsInput, 'executor'>>;
}

/**
 * For the platform driver: apply the pending migrations after the checks passed and before green
 * starts. The rollback plan then records what was applied (also the part applied before a failure).
 * Throws MigrationError (with `.applied`) when a migration fails; nothing should start then.
 */
export async function applyPendingMigrations(ctx: DeployContext, options: ApplyOptions = {}): Promise<AppliedMigrations> {
  // What the Migrations pre-check read from the tracking table, under this run's lock.
  const recorded = (await preCheckOutputs(ctx.plan).migrations?.catch(() => undefined))?.recorded;
  try {
    const result = await applyMigrations({ ...migrationsInput(ctx.config, ctx.executor), ...(recorded ? { recorded } : {}), ...options.overrides });
    await recordAppliedMigrations(ctx, result.applied, options.nextReleaseId);
    return result;
  } catch (error) {
    if (error instanceof MigrationError) await recordAppliedMigrations(ctx, error.applied, options.nextReleaseId);
    throw error;
  }
}

/** Adds the applied migrations (and the new release id) to this run's rollback plan files, if one was written. */
export async function recordAppliedMigrations(ctx: Pick<DeployContext, 'plan'>, applied: string[], nextReleaseId?: string): Promise<void> {
  const written = preCheckOutputs(ctx.plan).rollbackPlan;
  if (written && !ctx.plan.dryRun) await recordRollbackPlanProgress(written, { applied, nextId: nextReleaseId });
}

/** For src/orchestrator/post-hooks.ts: run `.deploy/hooks/post-deploy` or `post-rollback` (a missing hook is fine). */
export function runDeployHook(ctx: DeployContext, hook: Exclude<HookName, 'pre-deploy'>, context: Omit<HookContext, 'environment' | 'url'>): Promise<HookOutcome> {
  return runHook({ projectRoot: ctx.config.projectRoot, hook, executor: ctx.executor, context: { ...context, environment: ctx.config.environment, url: ctx.config.url } });
}
