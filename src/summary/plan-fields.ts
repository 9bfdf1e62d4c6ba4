import type { DeployPlan } from '../orchestrator/plan.js';
import type { SummaryInput } from './build.js';

/** The summary fields a plan fixes before anything runs: whoever builds a run's summary starts from these. */
export function planFields(plan: DeployPlan): Pick<SummaryInput, 'environment' | 'strategy' | 'platform' | 'url' | 'dryRun' | 'steps'> {
  return {
    environment: plan.environment,
    strategy: plan.strategy,
    platform: plan.platform,
    url: plan.config.url,
    dryRun: plan.dryRun,
    steps: plan.steps.map((s) => s.text),
  };
}
