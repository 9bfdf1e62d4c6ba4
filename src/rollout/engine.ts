import { ExitCode, UserError } from '../errors.js';
import type { DeployOutcome } from '../orchestrator/types.js';
import { deployBlueGreen } from './blue-green.js';
import { deployCanary } from './canary.js';
import { migrateRelease, type MigrationSource } from './migrate.js';
import { rollbackTo, type RollbackInput } from './rollback.js';
import type { RolloutInput } from './types.js';
import { deployVerifyFirst, verifiesFirst } from './verify-first.js';

/**
 * The rollout engine: every platform with a RolloutTarget deploys through here. After the platform prepared the
 * release (directory, build, image), the engine applies its migrations, then runs the configured strategy. The
 * steps it runs are the plan's (src/rollout/router-plan.ts), each reported through `ctx.step`.
 */
export async function rollOut(input: RolloutInput & { migrations: MigrationSource | null }): Promise<DeployOutcome> {
  const { ctx, target } = input;
  if (ctx.config.strategy === 'canary' && !target.capabilities.weights) {
    // The config reader refuses this already (the platform's capabilities); a target must never pretend.
    throw new UserError(`strategy: canary needs traffic weights, which platform ${ctx.config.platform} does not have`, ExitCode.usage);
  }
  // Null: the release carries its own migrations (a Kubernetes image runs them itself), none are applied here.
  const migrated = input.migrations ? await migrateRelease(ctx, input.release, input.migrations) : null;
  if (migrated) return migrated;
  if (ctx.config.strategy === 'canary') return deployCanary(input);
  // A target that cannot switch back at once is verified before its switch (src/rollout/verify-first.ts).
  return verifiesFirst(target) ? deployVerifyFirst({ ...input, target }) : deployBlueGreen(input);
}

/** `deploy rollback`: the target release is started if needed, smoked, switched to and verified. */
export function rollBack(input: RollbackInput): Promise<DeployOutcome> {
  return rollbackTo(input);
}

/** A target that switches whole deployments itself (Railway): start, verify, switch back (src/rollout/whole-switch.ts). */
export { deployWholeSwitch, rollBackWholeSwitch } from './whole-switch.js';
