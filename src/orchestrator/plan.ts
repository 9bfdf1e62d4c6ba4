import type { ResolvedEnvironment } from '../config/types.js';
import type { Recipes } from '../bundle/schema.js';
import { platformSpec } from '../platforms/registry.js';
import { checksToRun } from '../checks/registry.js';
import { step, type PlanStep } from '../rollout/steps.js';
import { ACME_CONFIGURE_TIMEOUT_MS } from '../router/push-settings.js';
import { redactorFor } from '../secrets/for-config.js';

export type RunKind = 'deploy' | 'rollback' | 'stop';

import type { ShippedSource } from '../remote/working-copy.js';
import type { ReleaseDiff } from '../contracts/release-diff.js';

export interface PlanOptions {
  ref: string | null;
  /** rollback --to <release> */
  to: string | null;
  yes: boolean;
  forceUnverified: boolean;
  reason: string | null;
  allowDirty: boolean;
  /** --accept-data-loss: files the live release wrote inside its directory may be dropped (the Data Loss pre-check). */
  acceptDataLoss?: boolean;
  /** --allow-contract: contract migrations (DROP COLUMN, RENAME, …) run although a release is live (the Migrations pre-check). */
  allowContract?: boolean;
  lockWaitMs: number;
  verbose: boolean;
  /** On a server reached over SSH: the commit the CLI shipped there (src/remote/). */
  source?: ShippedSource | null;
  /** A folder holding `.deploy/<requires>/history.jsonl` copied from the required environment's servers. */
  gateHistoryRoot?: string | null;
  /** On a server reached over SSH: what the run ships, computed by the CLI where the repository is (src/shipped/). */
  shipped?: ReleaseDiff | null;
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
  /** The pre-checks that run (src/checks/registry.ts, less recipes.yaml's `preChecks.skip`), in order. */
  preChecks: string[];
  /** The typed steps, exactly what the engine runs (`--dry-run` prints their text); secrets already redacted. */
  steps: PlanStep[];
  /** What the platform can only approximate for this config (e.g. a replica-ratio canary), said before it runs. */
  approximations: string[];
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
  /** The release serving now (state.json), when known: a canary with nothing to compare with deploys blue-green. */
  current?: string | null;
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
    preChecks: checksToRun(input.recipes.preChecks.skip).map((c) => c.name),
    steps: planSteps(input).map((s) => ({ ...s, text: redactor.redact(s.text) })),
    approximations: input.kind === 'deploy' ? (platformSpec(config.platform).approximations?.(config) ?? []) : [],
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
  // Each canary step runs its interval, and an inconclusive one goes on for verify.extend or one more interval.
  const canaryStepMs = config.canary.intervalMs + Math.max(config.canary.intervalMs, config.verify.extendMs ?? 0);
  const rollout = config.strategy === 'canary' ? config.canary.steps.length * canaryStepMs : 0;
  // Blue's baseline may be probed for up to one window before the switch; an inconclusive window runs on for verify.extend.
  const verify = 2 * config.verify.windowMs + (config.verify.extendMs ?? 0) + config.health.timeoutMs + 60_000;
  const platform = platformSpec(config.platform).extraDeadlineMs?.(config) ?? 0;
  // The router may order certificates over ACME before the release starts (src/router/push-settings.ts).
  const acme = config.router?.tls?.acme ? ACME_CONFIGURE_TIMEOUT_MS : 0;
  const base = verify + config.drainTimeoutMs + rollout + platform + acme + margin;
  return kind === 'rollback' ? base + config.health.timeoutMs : base + tests + build + config.health.timeoutMs;
}

/** Pre-checks (every platform), then the platform's own steps; `stop` is one step everywhere. */
function planSteps(input: PlanInput): PlanStep[] {
  const c = input.config;
  if (input.kind === 'stop') return [step('retire', `stop every release of ${c.environment} on ${c.platform}`)];
  const checks = checksToRun(input.recipes.preChecks.skip).filter((check) => input.kind === 'deploy' || check.beforeRollback);
  const preChecks = step('pre-checks', `pre-checks${input.kind === 'deploy' ? ' (parallel)' : ''}: ${checks.map((check) => check.planText?.(c) ?? check.name).join(', ')}`);
  const current = input.current === undefined ? 'unknown' : input.current;
  const steps = platformSpec(c.platform).planSteps(c, input.kind, { to: input.options.to, ref: input.options.ref, current });
  // The hooks run on every platform, after the platform's own steps (src/orchestrator/post-hooks.ts).
  const hooks =
    input.kind === 'deploy'
      ? [step('post-deploy', 'hook .deploy/hooks/post-deploy, if any'), step('post-rollback', 'after a rollback: hook .deploy/hooks/post-rollback, if any', true)]
      : [step('post-rollback', 'hook .deploy/hooks/post-rollback, if any')];
  return [preChecks, ...steps.filter((s) => !s.onFailure), ...hooks.filter((s) => !s.onFailure), ...steps.filter((s) => s.onFailure), ...hooks.filter((s) => s.onFailure)];
}
