export { CRASH_LOOP_CHECK, crashLoopCheck, recentCrashes } from './crash-loop.js';
export { breachAction, describeBreaches, evaluateTick, type TickInput, type TickVerdict } from './decide.js';
export { Guard, type GuardOptions } from './guard.js';
export { DEFAULT_GUARD_MS, defaultGuardPeriodMs, warmPeriodMs } from './period.js';
export { assessTraffic, defaultTrafficRules, type TrafficRules, type TrafficVerdict } from './traffic.js';
export {
  defaultCrashLoop,
  type CrashLoopRule,
  type GuardAction,
  type GuardClock,
  type GuardConsumer,
  type GuardDecision,
  type GuardSnapshot,
  type GuardStateName,
  type PreviousRelease,
} from './types.js';
export { describeGuard } from './status-line.js';
