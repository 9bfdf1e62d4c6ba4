/** Post-deployment verification: the pieces the platform drivers and strategies call. */
export { analyzeMetrics, errorRate, errorCount, evaluateErrorRate, evaluateResponseTimes, CHECK } from './analysis.js';
export { blueGreenLabels, clearBreaches, judge, type Judgement, type Outcome, type Samples } from './compare/judge.js';
export { judgeDefaults, type JudgeThresholds } from './compare/thresholds.js';
export { type Clock, realClock, sleepFor } from './clock.js';
export { checkDatabase, databaseKind, type DatabaseCheckOptions, type DatabaseKind } from './database.js';
export { detectBreaches, type EarlyOptions } from './early.js';
export { formatMs, formatPercent } from './format.js';
export { verifyAfterSwitch, type PostDeployOptions, type PostDeployResult } from './post-deploy.js';
export { generateProbeTraffic, type ProbeOptions, type ProbeResult } from './probe.js';
export { runSmoke, smokeCheckResult, type SmokeOptions, type SmokeResult, type SmokeOutcome } from './smoke.js';
export { parseSmokeSpec, type SmokeSpec, type SmokeSpecInput } from './smoke-spec.js';
export {
  canaryLabels,
  requiredSamples,
  type CohortLabels,
  type ComparisonThresholds,
  type VerifyThresholds,
} from './thresholds.js';
export { watchWindow, type WatchResult, type WatchTick, type WatchWindowOptions } from './window.js';
