/** Rollout strategies beside blue-green: the canary flow, its step gate and its promote/abort control file. */
export { deployCanary, type CanaryOutcome } from './canary.js';
export { runStepGate, describeStep, figures, type StepReport, type StepGateInput, type CohortFigures, type StepSignal } from './step-gate.js';
export { sendControl, readControl, clearControl, readRunning, CONTROL_FILE, RUNNING_FILE, type CanaryRunning } from './control-file.js';
