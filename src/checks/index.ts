import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeployContext, PreCheck } from '../orchestrator/types.js';
import type { DeployPlan } from '../orchestrator/plan.js';
import type { ResolvedEnvironment } from '../config/types.js';
import type { Executor } from '../exec/executor.js';
import type { PreCheckResult } from '../contracts/summary.js';
import { ExitCode } from '../errors.js';
import { checkEnvVars } from './env-vars.js';
import { checkGit, type GitCheck } from './git-state.js';
import { checkPreDeployHook, hookExists, runHook, type HookContext, type HookName, type HookOutcome } from './hooks.js';
import { applyMigrations, checkMigrations, MigrationError, type AppliedMigrations, type ContractPolicy, type MigrationsCheck, type MigrationsInput } from './migrations/index.js';
import { checkProductionGate } from './production-gate.js';
import { recordRollbackPlanProgress, writeRollbackPlan } from './rollback-plan.js';
import { preCheckOutputs } from './run-outputs.js';
import { checkTests } from './tests-passing.js';
import { isPlatform, platformSpec } from '../platforms/registry.js';
import type { PlatformChecksModule } from '../platforms/spec.js';

export { preCheckOutputs, type PreCheckOutputs } from './run-outputs.js';
export { MigrationError } from './migrations/index.js';

/**
 * The pre-deployment checks for a plan, in the bundle's order. They run in parallel; the ones that
 * need another's finding (the rollback plan needs the pending migrations, the gate needs the commit)
 * share one memoised run of it. All are safe under --dry-run: nothing they do changes the deployment
 * (the rollback plan is not written and the pre-deploy hook is not run under --dry-run).
 */
export async function buildPreChecks(plan: DeployPlan): Promise<PreCheck[]> {
  if (plan.kind !== 'deploy') return [];
  const wanted = new Set(plan.preChecks);
  const config = plan.config;
  const out = preCheckOutputs(plan);
  const git = (ctx: DeployContext): Promise<GitCheck> =>
    (out.git ??= checkGit({ cwd: config.projectRoot, executor: ctx.executor, production: isProduction(config), allowDirty: plan.options.allowDirty, ref: plan.options.ref }));
  const migrations = (ctx: DeployContext): Promise<MigrationsCheck> =>
    (out.migrations ??= contractPolicy(plan, ctx).then(async (policy) => {
      const checked = await checkMigrations(migrationsInput(config, ctx.executor), policy);
      out.migrationsReport = checked.report;
      return checked;
    }));

  const checks: PreCheck[] = [];
  if (wanted.has('tests')) {
    checks.push({
      name: 'Tests',
      run: (ctx) =>
        checkTests({
          cwd: config.projectRoot,
          command: config.tests.skip ? false : (config.tests.command ?? undefined),
          timeoutMs: config.tests.timeoutMs,
          executor: ctx.executor,
          production: isProduction(config),
        }),
    });
  }
  if (wanted.has('migrations')) checks.push({ name: 'Migrations', run: async (ctx) => (await migrations(ctx)).result });
  if (wanted.has('env')) {
    checks.push({
      name: 'Env Vars',
      run: async () => {
        const checked = checkEnvVars({ required: config.env.required, values: config.env.values });
        out.envValues = checked.resolved;
        return checked.result;
      },
    });
  }
  if (wanted.has('git')) checks.push({ name: 'Git', run: async (ctx) => (await git(ctx)).result });
  if (wanted.has('gate') && config.requires) {
    checks.push({
      name: 'Staging Verified',
      run: async (ctx) => {
        const commit = (await git(ctx)).commit;
        const gate = await checkProductionGate({
          // The required environment's history, fetched from its servers when it runs on some (src/remote/).
          projectRoot: plan.options.gateHistoryRoot ?? config.projectRoot,
          requires: config.requires,
          maxAgeMs: config.maxAgeMs,
          release: { commit, contentHash: commit ? null : await workingTreeHash(config.projectRoot) },
          force: plan.options.forceUnverified ? { reason: plan.options.reason ?? undefined } : null,
        });
        out.gate = gate;
        return gate.result;
      },
    });
  }
  if (wanted.has('rollback-plan')) {
    checks.push({
      name: 'Rollback Plan',
      run: async (ctx) => {
        const [state, gitState, pending] = await Promise.all([ctx.state.read(), git(ctx), migrations(ctx)]);
        const active = state.active ? state.releases.find((r) => r.id === state.active!.release) : undefined;
        // Nothing deployed from here yet: the platform may still be serving a release (one made outside shipgate).
        const live = state.active ? null : await platformLiveRelease(plan, ctx);
        const written = await writeRollbackPlan({
          stateDir: config.stateDir,
          projectRoot: config.projectRoot,
          environment: config.environment,
          platform: config.platform,
          strategy: config.strategy,
          current: state.active ? { id: state.active.release, version: active?.version ?? null, commit: active?.commit ?? null } : live,
          next: { id: null, version: await projectVersion(config.projectRoot, gitState.commit), commit: gitState.commit },
          migrations: pending.pending,
          migrationTool: pending.tool,
          classified: pending.report?.files ?? null,
          keepWarmMs: config.keepWarmMs,
          persist: config.persist,
          dryRun: plan.dryRun,
        });
        out.rollbackPlan = written;
        return written.result;
      },
    });
  }
  if (wanted.has('hooks') && (await hookExists(config.projectRoot, 'pre-deploy'))) {
    checks.push({
      name: 'Pre-deploy Hook',
      run: async (ctx) => {
        const commit = (await git(ctx)).commit;
        return checkPreDeployHook({
          projectRoot: config.projectRoot,
          executor: ctx.executor,
          context: { environment: config.environment, release: '', version: await projectVersion(config.projectRoot, commit), commit, url: config.url, status: 'pending' },
        });
      },
    });
  }
  checks.push(...(await platformPreChecks(plan)));
  return checks.map((check) => ({ ...check, run: (ctx: DeployContext) => untilAborted(check.name, ctx.signal, check.run(ctx)) }));
}

/**
 * Blue-green and canary both run the migrations while the live release serves, and a rollback returns to it:
 * contract migrations are refused whenever a release is live (a first deploy has nothing to break).
 */
async function contractPolicy(plan: DeployPlan, ctx: DeployContext): Promise<ContractPolicy> {
  const active = (await ctx.state.read()).active;
  const liveRelease = active !== null || (await platformLiveRelease(plan, ctx)) !== null;
  return { liveRelease, allowContract: plan.options.allowContract ?? false };
}

/** The platform's own checks module (its registry entry's `preChecks()`), when it has one. */
async function platformChecksModule(plan: DeployPlan): Promise<PlatformChecksModule | null> {
  return isPlatform(plan.platform) ? ((await platformSpec(plan.platform).preChecks?.()) ?? null) : null;
}

/** A platform's own checks (engine reachable, token valid, …). */
async function platformPreChecks(plan: DeployPlan): Promise<PreCheck[]> {
  const mod = await platformChecksModule(plan);
  return mod?.platformPreChecks ? await mod.platformPreChecks(plan) : [];
}

/** What the platform serves now, or null. A failed lookup is not this check's to report: the platform's own checks do. */
async function platformLiveRelease(plan: DeployPlan, ctx: DeployContext): Promise<{ id: string; version: null; commit: null } | null> {
  const mod = await platformChecksModule(plan);
  const live = await mod?.liveRelease?.(ctx).catch(() => null);
  return live ? { id: live.id, version: null, commit: null } : null;
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

/** The migrations step's inputs from the resolved config; `verify.database: health` is not a database URL. */
export function migrationsInput(config: ResolvedEnvironment, executor: Executor): MigrationsInput {
  const database = config.migrations.database && config.migrations.database !== 'health' ? config.migrations.database : null;
  return {
    cwd: config.projectRoot,
    mode: config.migrations.mode,
    tool: config.migrations.tool,
    dir: config.migrations.dir,
    table: config.migrations.table,
    database,
    command: config.migrations.command,
    executor,
    env: config.env.values,
  };
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
  try {
    const result = await applyMigrations({ ...migrationsInput(ctx.config, ctx.executor), ...options.overrides });
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

/** For the platform driver: run `.deploy/hooks/post-deploy` or `post-rollback` (a missing hook is fine). */
export function runDeployHook(ctx: DeployContext, hook: Exclude<HookName, 'pre-deploy'>, context: Omit<HookContext, 'environment' | 'url'>): Promise<HookOutcome> {
  return runHook({ projectRoot: ctx.config.projectRoot, hook, executor: ctx.executor, context: { ...context, environment: ctx.config.environment, url: ctx.config.url } });
}

function isProduction(config: ResolvedEnvironment): boolean {
  return config.environment === 'production';
}

async function projectVersion(projectRoot: string, commit: string | null): Promise<string> {
  try {
    const pkg = JSON.parse(await readFile(join(projectRoot, 'package.json'), 'utf8')) as { version?: string };
    if (pkg.version) return pkg.version;
  } catch {
    // no package.json
  }
  return commit ? commit.slice(0, 7) : 'unversioned';
}

/** Outside git the local platform copies the working tree; hash it the same way so the gate can match staging. */
async function workingTreeHash(projectRoot: string): Promise<string | null> {
  try {
    const { hashTree } = await import('../platforms/local/content-hash.js');
    return await hashTree(projectRoot, ['.deploy', 'node_modules', '.git']);
  } catch {
    return null;
  }
}
