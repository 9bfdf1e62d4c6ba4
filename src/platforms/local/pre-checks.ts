import { checkDataLoss } from '../../checks/data-loss.js';
import type { DeployPlan } from '../../orchestrator/plan.js';
import type { PreCheck } from '../../orchestrator/types.js';

/** The local platform's own pre-checks: writes inside the live release that the new one would not carry over. */
export function platformPreChecks(plan: DeployPlan): PreCheck[] {
  const { config } = plan;
  return [
    {
      name: 'Data Loss',
      run: async (ctx) =>
        checkDataLoss({
          stateDir: config.stateDir,
          active: (await ctx.state.read()).active?.release ?? null,
          persist: config.persist,
          accept: plan.options.acceptDataLoss ?? false,
        }),
    },
  ];
}
