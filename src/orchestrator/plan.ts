import type { ResolvedEnvironment } from '../config/types.js';
import { formatDuration } from '../config/duration.js';
import { formatPercent } from '../config/percent.js';
import { kubernetesPlanSteps } from '../platforms/kubernetes/plan-steps.js';
import { railwayPlanSteps } from '../platforms/railway/plan-steps.js';
import type { Recipes } from '../bundle/schema.js';
import { redactorFor } from '../secrets/for-config.js';

export type RunKind = 'deploy' | 'rollback' | 'stop';

import type { ShippedSource } from '../remote/working-copy.js';

export interface PlanOptions {
  ref: string | null;
  /** rollback --to <release> */
  to: string | null;
  yes: boolean;
  forceUnverified: boolean;
  reason: string | null;
  allowDirty: boolean;
  lockWaitMs: number;
  verbose: boolean;
  /** On a server reached over SSH: the commit the CLI shipped there (src/remote/). */
  source?: ShippedSource | null;
  /** A folder holding `.deploy/<requires>/history.jsonl` copied from the required environment's servers. */
  gateHistoryRoot?: string | null;
}

/** Everything the orchestrator child needs, computed before anything runs. Holds secrets: never print it whole. */
export interface DeployPlan {
  schemaVersion: 1;
  kind: RunKind;
  environment: string;
  app: string;
  platform: ResolvedEnvironment['platform'];
  strategy: ResolvedEnvironment['strategy'];
  dryRun: boolean;
  toolVersion: string;
  createdAt: string;
  options: PlanOptions;
  config: ResolvedEnvironment;
  /** Pre-check names from the bundle, in order. */
  preChecks: string[];
  rollbackPolicy: Recipes['rollback'];
  /** Human steps for --dry-run and the summary; secrets already redacted. */
  steps: string[];
  /** The parent kills the orchestrator after this long. */
  deadlineMs: number;
}

export interface PlanInput {
  kind: RunKind;
  config: ResolvedEnvironment;
  recipes: Recipes;
  options: PlanOptions;
  dryRun: boolean;
  toolVersion: string;
  now: Date;
  /** DEPLOY_RUN_DEADLINE, when set. */
  deadlineOverrideMs?: number | null;
}

/** Pure: config + bundle + flags in, plan out. Nothing is read or written. */
export function buildPlan(input: PlanInput): DeployPlan {
  const { config } = input;
  const redactor = redactorFor(config);
  return {
    schemaVersion: 1,
    kind: input.kind,
    environment: config.environment,
    app: config.app,
    platform: config.platform,
    strategy: config.strategy,
    dryRun: input.dryRun,
    toolVersion: input.toolVersion,
    createdAt: input.now.toISOString(),
    options: input.options,
    config,
    preChecks: input.recipes.preChecks,
    rollbackPolicy: input.recipes.rollback,
    steps: planSteps(input).map((s) => redactor.redact(s)),
    deadlineMs: input.deadlineOverrideMs ?? runDeadlineMs(config, input.kind, input.dryRun),
  };
}

/** Generous on purpose: the deadline catches a stuck orchestrator, not a slow deploy. */
export function runDeadlineMs(config: ResolvedEnvironment, kind: RunKind, dryRun: boolean): number {
  const margin = 2 * 60_000;
  const tests = config.tests.skip ? 0 : config.tests.timeoutMs;
  if (dryRun) return tests + margin;
  if (kind === 'stop') return config.drainTimeoutMs + margin;
  const build = config.build ? 15 * 60_000 : 0;
  const rollout = config.strategy === 'canary' ? config.canary.steps.length * config.canary.intervalMs : 0;
  const verify = config.verify.windowMs + config.health.timeoutMs + 60_000;
  // Railway builds remotely: a deploy may wait its deadline once for the build and once more for a rollback.
  const remote = config.railway ? 2 * config.railway.deadlineMs + 2 * config.verify.windowMs : 0;
  // Kubernetes waits out the scale-down delay, and a replica-ratio canary waits for readiness once more per step.
  const k = config.kubernetes;
  const cluster = k ? k.scaleDownDelayMs + (config.strategy === 'canary' && !k.gateway ? config.canary.steps.length * config.health.timeoutMs : config.health.timeoutMs) : 0;
  const base = verify + config.drainTimeoutMs + rollout + remote + cluster + margin;
  return kind === 'rollback' ? base + config.health.timeoutMs : base + tests + build + config.health.timeoutMs;
}

function planSteps(input: PlanInput): string[] {
  const c = input.config;
  if (c.platform === 'railway' && input.kind !== 'stop') return railwayPlanSteps(c, input.kind, input.options.to);
  if (c.platform === 'kubernetes' && input.kind !== 'stop') return kubernetesPlanSteps(c, input.kind, input.options.to);
  if (input.kind === 'stop') return [`stop the router and every app process of ${c.environment}`];
  if (input.kind === 'rollback') {
    const target = input.options.to ?? 'the previous release';
    return [`pre-checks: ${input.recipes.preChecks.filter((n) => n === 'lock' || n === 'hooks').join(', ')}`, `start ${target} if it is not warm; wait for ${c.health.path}`, `switch ${c.url} to ${target}`, 'verify health and smoke'];
  }
  const tests = c.tests.skip ? 'skipped' : c.tests.command ? `\`${c.tests.command}\`` : 'npm test if defined';
  const smoke = c.verify.smoke.map((s) => `${s.method} ${s.path}`).join(', ') || 'none';
  const steps = [
    `pre-checks (parallel): ${input.recipes.preChecks.map((n) => (n === 'tests' ? `tests ${tests}` : n)).join(', ')}`,
    `release: ${input.options.ref ?? 'HEAD'} into .deploy/${c.environment}/releases/<id>`,
  ];
  if (c.build) steps.push(`build: \`${c.build}\``);
  steps.push(`start green: \`${c.start ?? '(platform default)'}\` on a free port; wait for ${c.health.path} (${formatDuration(c.health.timeoutMs)})`);
  steps.push(`smoke green directly: ${smoke}`);
  if (c.strategy === 'canary') {
    const shares = c.canary.steps.map(formatPercent).join(' → ');
    steps.push(`canary on ${c.url}: ${shares}, ${formatDuration(c.canary.intervalMs)} per step, compared with stable`);
  } else {
    steps.push(`switch ${c.url} from blue to green`);
  }
  const database = c.verify.database ? ', database' : '';
  steps.push(
    `verify ${formatDuration(c.verify.windowMs)}: error rate < ${formatPercent(c.verify.errorRate)}, p95 < ${formatDuration(c.verify.p95Ms)}, ≥${c.verify.minRequests} requests, smoke${database}`,
  );
  steps.push(`on failure: ${input.recipes.rollback.action}; keep blue warm ${formatDuration(c.keepWarmMs)}`);
  return steps;
}
