import type { DeployPlan } from '../../orchestrator/plan.js';
import type { PreCheck } from '../../orchestrator/types.js';
import { dockerEngineCheck } from './engine-check.js';

/** The docker platform's own pre-checks, added to the common ones by src/checks/index.ts. */
export function platformPreChecks(_plan: DeployPlan): PreCheck[] {
  return [dockerEngineCheck];
}
