import type { DeployContext } from '../orchestrator/types.js';
import type { EnvironmentState } from '../state/schema.js';
import type { RolloutTarget, RunningRelease } from './target.js';
import { flowTiming, type FlowTiming } from './timing.js';

/** Where a rollout starts from: the state as it was, the live release if it still runs, and the flow's waits. */
export async function startingPoint(ctx: DeployContext, target: RolloutTarget, overrides?: Partial<FlowTiming>): Promise<{ before: EnvironmentState; live: RunningRelease | null; timing: FlowTiming }> {
  const before = await ctx.state.read();
  const live = before.active ? await target.running(before.active.release).catch(() => null) : null;
  return { before, live, timing: flowTiming(ctx.config, overrides) };
}
