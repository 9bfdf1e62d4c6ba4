import { importOptional } from './optional-module.js';
import type { DeployPlan } from './plan.js';
import type { PreCheck } from './types.js';

interface ChecksModule {
  buildPreChecks?: (plan: DeployPlan) => PreCheck[] | Promise<PreCheck[]>;
}

/**
 * The registry of pre-deployment checks. They come from src/checks/index.ts
 * (`buildPreChecks(plan)`); until that module exists the list is empty.
 */
export async function preChecksFor(plan: DeployPlan): Promise<PreCheck[]> {
  const mod = await importOptional<ChecksModule>(new URL('../checks/index.js', import.meta.url));
  return mod?.buildPreChecks ? await mod.buildPreChecks(plan) : [];
}
