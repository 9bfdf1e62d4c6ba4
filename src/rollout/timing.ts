import type { ResolvedEnvironment } from '../config/types.js';
import type { HealthTiming } from './target.js';

/** The flow's waits, derived from the config; tests inject shorter ones. */
export interface FlowTiming {
  health: HealthTiming;
  /** Smoke tests, database checks and probe requests, each. */
  requestTimeoutMs: number;
  /** How often router metrics are read during the window. */
  tickMs: number;
  databaseIntervalMs: number;
  /** SIGTERM to SIGKILL for app processes. */
  stopTimeoutMs: number;
}

export function flowTiming(config: ResolvedEnvironment, overrides: Partial<FlowTiming> = {}): FlowTiming {
  const window = config.verify.windowMs;
  return {
    health: {
      path: config.health.path,
      intervalMs: config.health.intervalMs,
      deadlineMs: config.health.timeoutMs,
      checkTimeoutMs: Math.min(2_000, config.health.timeoutMs),
    },
    requestTimeoutMs: 5_000,
    tickMs: Math.min(1_000, Math.max(100, Math.round(window / 20))),
    databaseIntervalMs: Math.min(5_000, Math.max(250, Math.round(window / 4))),
    stopTimeoutMs: 10_000,
    ...overrides,
  };
}
