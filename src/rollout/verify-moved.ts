import type { PostCheckResult } from '../contracts/summary.js';
import { runSmoke, smokeCheckResult } from '../verify/smoke.js';
import type { SmokeSpecInput } from '../verify/smoke-spec.js';
import type { HealthTiming, RolloutTarget, RunningRelease } from './target.js';
import type { FlowTiming } from './timing.js';
import { targetReady } from './wait-ready.js';

export interface MovedVerification {
  ok: boolean;
  health: PostCheckResult;
  /** Smoke tests through the public URL: what the users get now. */
  smoke: PostCheckResult;
  /** What failed, for the outcome's message; null when verified. */
  problem: string | null;
}

/**
 * Verifies a release after traffic moved to it (an automatic switch back, `deploy rollback`): ready within the
 * health deadline, as the target knows readiness, then smoke tests through the public URL. The switch happened
 * before this, so it stays instant; a healthy release answers at the first poll.
 *
 * Not one quick check: a release just scaled up, or reached through a fresh tunnel, can miss a single 2 s request
 * on a loaded machine and still be healthy. Not cut short by an interrupt either: the traffic has moved, and the
 * outcome must say truly whether the release it is on works.
 */
export async function verifyMovedTraffic(
  target: Pick<RolloutTarget, 'exitStatus' | 'waitReady'>,
  release: RunningRelease,
  input: { publicUrl: string; smoke: SmokeSpecInput[]; timing: FlowTiming },
): Promise<MovedVerification> {
  const { timing } = input;
  const health = await healthAfterMove(target, release, timing.health);
  const smoke = smokeCheckResult(await runSmoke(input.publicUrl, input.smoke, { timeoutMs: timing.requestTimeoutMs }));
  const problem = !health.ok ? health.value : !smoke.ok ? `smoke ${smoke.value}` : null;
  return { ok: problem === null, health, smoke, problem };
}

/** The health half alone, for a caller that has no smoke tests to run (the runtime's post-deploy guard). */
export async function healthAfterMove(target: Pick<RolloutTarget, 'exitStatus' | 'waitReady'>, release: RunningRelease, health: HealthTiming): Promise<PostCheckResult> {
  const ready = await targetReady(target, release, health, new AbortController().signal);
  return { name: 'Health', ok: ready.ok, value: ready.detail, threshold: ready.threshold ?? `${health.path} healthy within ${health.deadlineMs} ms` };
}
