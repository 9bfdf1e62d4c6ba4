import type { ComparisonThresholds } from '../verify/thresholds.js';
import { realClock } from '../verify/clock.js';
import { connectRouter } from '../router/client.js';
import type { UpstreamMetrics } from '../contracts/metrics.js';
import { runStepGate, type StepReport } from '../strategies/step-gate.js';
import type { FlagStore } from './store.js';
import { pushFlags } from './push.js';
import { UserError, ExitCode } from '../errors.js';

export const flagLabels = { subject: 'flagged', baseline: 'unflagged' } as const;

export interface FlagRolloutInput {
  store: FlagStore;
  flag: string;
  /** Percentages, increasing, e.g. [10, 50, 100]. */
  steps: number[];
  intervalMs: number;
  thresholds: ComparisonThresholds;
  /** The router's public address; probe traffic goes there so it is split like real traffic. */
  publicUrl: string;
  probePaths: string[];
  signal: AbortSignal;
  onStep?: (step: StepReport) => void;
  onStart?: (percent: number) => void;
}

export interface FlagRolloutResult {
  ok: boolean;
  steps: StepReport[];
  /** Why the flag was turned off, when it was. */
  reason: string | null;
}

/**
 * Raises a flag step by step. At each step the flagged cohort is compared with the unflagged one in the same window,
 * as the router measures them; when it is worse the flag is turned off at once (disabled, 0%) and audited.
 */
export async function rolloutFlag(input: FlagRolloutInput): Promise<FlagRolloutResult> {
  const { store, flag } = input;
  const router = await connectRouter(store.stateDir, { callTimeoutMs: 10_000 }).catch(() => null);
  if (!router) throw new UserError(`no router runs for this environment (${store.stateDir}); deploy first, then roll a flag out`, ExitCode.usage);
  const steps: StepReport[] = [];
  try {
    for (const percent of input.steps) {
      await pushFlags(store.stateDir, await store.change(flag, 'rollout-step', { enabled: true, percent }));
      input.onStart?.(percent);
      const step = await runStepGate({
        percent,
        read: async (windowMs) => {
          const pair = await router.call<{ flagged: UpstreamMetrics; unflagged: UpstreamMetrics }>('flags.metrics', { flag, windowMs });
          return { subject: pair.flagged, baseline: pair.unflagged };
        },
        thresholds: input.thresholds,
        labels: flagLabels,
        intervalMs: input.intervalMs,
        maxExtraMs: Math.max(input.intervalMs, 5_000),
        tickMs: Math.min(1_000, Math.max(50, Math.round(input.intervalMs / 4))),
        probe: input.probePaths.length > 0 ? { url: input.publicUrl, paths: input.probePaths, requestTimeoutMs: 5_000, concurrency: 2 } : null,
        clock: realClock,
        signal: input.signal,
      });
      steps.push(step);
      input.onStep?.(step);
      if (!step.ok) {
        const failed = step.checks.find((c) => !c.ok);
        const reason = failed ? `${percent}%: ${failed.name} ${failed.value} (threshold ${failed.threshold})` : `${percent}%: ${step.decided}`;
        await pushFlags(store.stateDir, await store.change(flag, 'rollout-abort', { enabled: false, percent: 0 }, reason));
        return { ok: false, steps, reason };
      }
    }
    await store.change(flag, 'rollout-done', { enabled: true, percent: input.steps.at(-1) ?? 100 });
    return { ok: true, steps, reason: null };
  } finally {
    router.close();
  }
}
