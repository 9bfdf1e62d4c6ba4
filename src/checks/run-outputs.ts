import type { MigrationsReport } from '../contracts/summary.js';
import type { DeployPlan } from '../orchestrator/plan.js';
import type { GitCheck } from './git-state.js';
import type { GitSource } from '../releases/git-source.js';
import type { MigrationsCheck } from './migrations/index.js';
import type { ProductionGateResult } from './production-gate.js';
import type { RollbackPlanResult } from './rollback-plan.js';

/**
 * What the pre-checks of one run found, for the steps after them: the platform driver reads the
 * resolved env vars for green, the commit, the pending migrations and the rollback plan's path.
 * Keyed by the plan object, so two runs in one process never mix. Holds secrets (envValues).
 */
export interface PreCheckOutputs {
  /** The run's repository and commit (src/releases/git-source.ts), resolved once for the diff, the checks and the release. */
  gitSource?: Promise<GitSource>;
  git?: Promise<GitCheck>;
  migrations?: Promise<MigrationsCheck>;
  /** The summary's Migrations section: set by the check, completed by the apply step. */
  migrationsReport?: MigrationsReport | null;
  /** Required variables with their values, for green's environment. Secret. */
  envValues?: Record<string, string>;
  rollbackPlan?: RollbackPlanResult;
  gate?: ProductionGateResult;
}

const outputs = new WeakMap<DeployPlan, PreCheckOutputs>();

export function preCheckOutputs(plan: DeployPlan): PreCheckOutputs {
  let found = outputs.get(plan);
  if (!found) {
    found = {};
    outputs.set(plan, found);
  }
  return found;
}
