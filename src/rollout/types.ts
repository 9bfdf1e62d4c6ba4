import type { DeployContext } from '../orchestrator/types.js';
import type { RolloutTarget, ReleaseMeta } from './target.js';
import type { FlowTiming } from './timing.js';

/** One rollout of a prepared release through a target (blue-green or canary). */
export interface RolloutInput {
  ctx: DeployContext;
  target: RolloutTarget;
  /** The release to deploy, already prepared (directory built, image built...). */
  release: ReleaseMeta;
  /** The public address on this machine, e.g. http://127.0.0.1:4001: smoke and probes after the switch go here. */
  publicUrl: string;
  /** After a verified deploy, e.g. to prune old releases. Failures here do not fail the deploy. */
  afterSuccess?: (active: string, previous: string | null) => Promise<void>;
  timing?: Partial<FlowTiming>;
}
