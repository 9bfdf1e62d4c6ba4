import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResolvedEnvironment } from '../config/types.js';
import type { Executor } from '../exec/executor.js';
import type { DeployPlan } from '../orchestrator/plan.js';
import type { DeployContext } from '../orchestrator/types.js';
import { isPlatform, platformSpec } from '../platforms/registry.js';
import type { PlatformChecksModule } from '../platforms/spec.js';
import { checkGit, type GitCheck } from './git-state.js';
import { runGitSource } from '../releases/git-source.js';
import { checkMigrations, type ContractPolicy, type MigrationsCheck, type MigrationsInput } from './migrations/index.js';
import { preCheckOutputs, type PreCheckOutputs } from './run-outputs.js';

/**
 * What several checks of one run need, found once: the rollback plan needs the pending migrations, the gate and the
 * hook need the commit. Each is memoised in the run's outputs, which the platform driver reads afterwards.
 */
export interface CheckFindings {
  readonly outputs: PreCheckOutputs;
  readonly production: boolean;
  git(ctx: DeployContext): Promise<GitCheck>;
  migrations(ctx: DeployContext): Promise<MigrationsCheck>;
  /** package.json's version, else the short commit. */
  projectVersion(commit: string | null): Promise<string>;
  /** Outside git the local platform copies the working tree; hashed the same way, so the gate can match staging. */
  workingTreeHash(): Promise<string | null>;
  /** What the platform serves now when nothing was deployed from here (a release made outside shipgate), or null. */
  liveRelease(ctx: DeployContext): Promise<{ id: string; version: null; commit: null } | null>;
}

export function checkFindings(plan: DeployPlan): CheckFindings {
  const config = plan.config;
  const outputs = preCheckOutputs(plan);
  const production = config.environment === 'production';
  const liveRelease = (ctx: DeployContext) => platformLiveRelease(plan, ctx);
  return {
    outputs,
    production,
    git: (ctx) =>
      (outputs.git ??= checkGit({
        cwd: config.projectRoot,
        executor: ctx.executor,
        production,
        allowDirty: plan.options.allowDirty,
        ref: plan.options.ref,
        source: runGitSource(plan, ctx.executor),
      })),
    migrations: (ctx) =>
      (outputs.migrations ??= contractPolicy(plan, ctx, liveRelease).then(async (policy) => {
        const checked = await checkMigrations(migrationsInput(config, ctx.executor), policy);
        outputs.migrationsReport = checked.report;
        return checked;
      })),
    projectVersion: (commit) => projectVersion(config.projectRoot, commit),
    workingTreeHash: () => workingTreeHash(config.projectRoot),
    liveRelease,
  };
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

/**
 * Blue-green and canary both run the migrations while the live release serves, and a rollback returns to it:
 * contract migrations are refused whenever a release is live (a first deploy has nothing to break).
 */
async function contractPolicy(plan: DeployPlan, ctx: DeployContext, liveRelease: CheckFindings['liveRelease']): Promise<ContractPolicy> {
  const active = (await ctx.state.read()).active;
  const live = active !== null || (await liveRelease(ctx)) !== null;
  return { liveRelease: live, allowContract: plan.options.allowContract ?? false };
}

/** The platform's own checks module (its registry entry's `preChecks()`), when it has one. */
export async function platformChecksModule(plan: DeployPlan): Promise<PlatformChecksModule | null> {
  return isPlatform(plan.platform) ? ((await platformSpec(plan.platform).preChecks?.()) ?? null) : null;
}

/** A failed lookup is not this check's to report: the platform's own checks do. */
async function platformLiveRelease(plan: DeployPlan, ctx: DeployContext): Promise<{ id: string; version: null; commit: null } | null> {
  const mod = await platformChecksModule(plan);
  const live = await mod?.liveRelease?.(ctx).catch(() => null);
  return live ? { id: live.id, version: null, commit: null } : null;
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

async function workingTreeHash(projectRoot: string): Promise<string | null> {
  try {
    const { hashTree } = await import('../platforms/local/content-hash.js');
    return await hashTree(projectRoot, ['.deploy', 'node_modules', '.git']);
  } catch {
    return null;
  }
}
