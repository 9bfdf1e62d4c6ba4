import type { Slot } from '../state/schema.js';
import { slotFor, withRelease } from './slots.js';
import type { RunningRelease } from './target.js';
import type { RolloutInput } from './types.js';

/**
 * After a whole switch: green is the live release (restarted if it crashes), blue no longer, and the state records
 * green as active with blue, as it was before the run, as the previous one (still running: kept warm).
 */
export async function recordSwitch(input: RolloutInput, green: RunningRelease, blue: RunningRelease | null, blueSlot: Slot | null): Promise<void> {
  const { ctx, target, release } = input;
  await target.markLive(green.id, true);
  if (blue) await target.markLive(blue.id, false);
  await ctx.state.update((state) => ({
    ...withRelease(state, release),
    url: ctx.config.url,
    active: slotFor(green),
    previous: blue && blueSlot ? { ...blueSlot, running: true } : state.previous,
  }));
}
