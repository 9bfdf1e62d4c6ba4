import { hostname, userInfo } from 'node:os';
import type { HistoryRecord } from '../contracts/history.js';
import type { DeploySummary, PreCheckResult } from '../contracts/summary.js';
import { ExitCode, isUserError } from '../errors.js';
import { needsHumanOf } from '../summary/needs-human.js';
import { createExecutor, type Executor } from '../exec/executor.js';
import { redactDeep } from '../secrets/redact-deep.js';
import { redactorFor } from '../secrets/for-config.js';
import { planFields } from '../summary/plan-fields.js';
import { ensureDeployDir } from '../state/deploy-dir.js';
import { StateStore } from '../state/store.js';
import { buildSummary } from '../summary/build.js';
import { realClock, type Clock } from '../verify/clock.js';
import { driverAvailable, loadDriver as defaultLoadDriver, preloadDriver } from './drivers.js';
import type { ProgressEvent } from './messages.js';
import type { DeployPlan } from './plan.js';
import { buildPreChecks } from '../checks/index.js';
import { preCheckOutputs } from '../checks/run-outputs.js';
import { runPostHooks } from './post-hooks.js';
import type { StepId } from '../rollout/steps.js';
import { platformSpec } from '../platforms/registry.js';
import { recoverInterrupted } from '../journal/recover.js';
import { JournalWriter } from '../journal/journal.js';
import { assertWritableStateDir } from '../journal/writable.js';
import { refuseRollbackToActive } from './rollback-refusals.js';
import type { DeployContext, DeployOutcome, PlatformDriver, PreCheck } from './types.js';
import type { DeployNotices } from '../notify/deploy-notices.js';
import type { ReleaseDiff } from '../contracts/release-diff.js';
import { shippedForRun } from '../shipped/for-run.js';
import type { EnvironmentState } from '../state/schema.js';

export interface RunDeps {
  emit(event: ProgressEvent): void;
  signal: AbortSignal;
  clock?: Clock;
  loadDriver?: (platform: string) => Promise<PlatformDriver>;
  loadPreChecks?: (plan: DeployPlan) => Promise<PreCheck[]>;
  /** Takes the environment's deploy lock; returns its release function. Injected in tests. */
  acquireLock?: (plan: DeployPlan, signal: AbortSignal) => Promise<{ release(): Promise<void>; warning?: string }>;
  executor?: Executor;
  /** Only recover what a killed run left (the parent asks for it after its orchestrator died). */
  recoverOnly?: boolean;
}

/**
 * The orchestrator's whole job for one run, in order: platform, lock, pre-checks (parallel),
 * then the driver. Nothing changes before every pre-check has passed. Always returns a summary.
 */
export async function runPlan(plan: DeployPlan, deps: RunDeps): Promise<DeploySummary> {
  const clock = deps.clock ?? realClock;
  const started = clock.now();
  const executor = deps.executor ?? createExecutor({ dryRun: plan.dryRun, redactor: redactorFor(plan.config), onLog: (line) => log(line) });
  // The one redactor of the run, and its boundary: every progress event, the summary (log tail included), history
  // and state writes and notifications pass through it, whichever driver or check produced the text.
  const redactor = executor.redactor;
  if (deps.executor) redactor.add(...plan.config.secrets);
  const state = new StateStore(plan.config.projectRoot, plan.environment, { redactor });
  const cleanups: Array<() => Promise<void> | void> = [];
  const emit = (event: ProgressEvent) => deps.emit(redactDeep(event, redactor));
  const log = (line: string) => {
    if (plan.options.verbose) emit({ phase: 'debug', state: 'info', message: line });
  };
  // Each executed step is recorded as the plan printed it, so the two lists compare; an unplanned one says so.
  const executed: string[] = [];
  const used = new Set<number>();
  const step = (id: StepId) => {
    // A verification window is the run's longest wait on the clock: what the run ships (git) is worked out meanwhile.
    if (id === 'verify' || id.startsWith('traffic ')) void startShipping();
    const index = plan.steps.findIndex((s, i) => s.id === id && !used.has(i));
    if (index >= 0) used.add(index);
    executed.push(index >= 0 ? plan.steps[index]!.text : `(not in the plan) ${id}`);
  };
  const ctx: DeployContext = { plan, config: plan.config, executor, emit, signal: deps.signal, clock, state, defer: (fn) => cleanups.push(fn), log, step };
  const pre: PreCheckResult[] = [];
  let activeRelease: string | null = null;
  // Notifications (docs/notifications.md): fire-and-forget, flushed briefly at the end; never fail the run.
  let notices: DeployNotices | null = null;
  const notified = (summary: DeploySummary) => {
    if (plan.kind === 'deploy') notices?.finished(summary, plan.kind, activeRelease);
    return summary;
  };
  let manifests: string[] | undefined;
  // What the run ships (git, read-only) against the state the run found; a summary made before it is known has none.
  let shipped: ReleaseDiff | null = null;
  let shipping: Promise<void> | null = null;
  let found: EnvironmentState | null = null;
  const startShipping = (): Promise<void> =>
    (shipping ??= deps.recoverOnly ? Promise.resolve() : shippedForRun(plan, state, executor, found).then((diff) => void (shipped = diff)));
  const summarize = (extra: { outcome?: DeployOutcome; status?: DeploySummary['status']; exitCode?: number; message?: string } = {}) =>
    redactDeep(buildSummary({
      ...planFields(plan),
      pre,
      activeRelease,
      durationMs: clock.now() - started,
      executed,
      manifests,
      shipped,
      migrations: preCheckOutputs(plan).migrationsReport,
      ...extra,
    }), redactor);

  try {
    if (plan.kind === 'rollback' && !plan.dryRun) await refuseRollbackToActive(state, plan.environment, plan.options.to);
    const probeStateDir = () => ensureDeployDir(plan.config.projectRoot).then(() => assertWritableStateDir(plan.config.stateDir, plan.environment));
    // When the driver is there, the state directory's write probe waits on fsync while the driver's modules load;
    // nothing is locked or changed until both are done. A missing driver creates nothing, so it probes after.
    const writable = !plan.dryRun && driverAvailable(plan.platform) ? probeStateDir() : null;
    writable?.catch(() => undefined);
    found = await state.read();
    activeRelease = found.active?.release ?? null;
    const driver = plan.dryRun ? null : await (deps.loadDriver ?? defaultLoadDriver)(plan.platform);

    if (!plan.dryRun) {
      await (writable ?? probeStateDir());
      const lock = await takeLock(plan, deps, pre, emit);
      if (!lock) return await record(plan, state, summarize(), null);
      ctx.defer(() => lock.release());
      // The notifier (channels, retries, signatures) loads only for a config that has notify: set.
      notices = plan.config.notify
        ? (await import('../notify/deploy-notices.js')).DeployNotices.create({ config: plan.config, executor, redactor, appendHistory: (r) => state.appendHistory(r), warn: (line) => emit({ phase: 'notify', state: 'warn', message: line }) })
        : null;
      const takeover = pre.find((c) => c.name === 'Deploy Lock' && c.warning);
      if (takeover) notices?.send('lock.taken_over', { reason: takeover.detail });
      const recovered = driver ? await recoverInterrupted(ctx, driver) : null;
      // On a server, the shipped commit becomes the project's content under the lock, before any check reads it.
      if (plan.options.source && plan.kind === 'deploy' && !deps.recoverOnly) {
        await (await import('../remote/working-copy.js')).checkOutShippedSource(plan.config.projectRoot, plan.options.source, executor);
      }
      if (deps.recoverOnly) {
        const message = recovered?.message ?? 'it had not changed anything yet: traffic stays where it was';
        // History already holds the interruption and the recovery; the killed run gets no record of its own.
        return summarize({ status: recovered?.ok === false ? 'failed' : 'rolled_back', exitCode: recovered?.ok === false ? ExitCode.needsHuman : ExitCode.rolledBack, message });
      }
    }

    const checks = await (deps.loadPreChecks ?? buildPreChecks)(plan);
    if (plan.kind !== 'stop') ctx.step('pre-checks');
    const checked = runPreChecks(checks, ctx);
    // The checks mostly wait on git, the database and the tests: load the driver's rollout code meanwhile.
    if (driver && !deps.loadDriver) void preloadDriver(plan.platform);
    pre.push(...(await checked));
    const checksFailed = pre.some((c) => !c.ok && !c.warning);
    // A run that stops here (a failed check, a dry run) still says what it would have shipped.
    if (checksFailed || plan.dryRun || !driver || notices) await startShipping();
    if (checksFailed) {
      const summary = summarize();
      return plan.dryRun ? summary : await record(plan, state, summary, null);
    }
    if (plan.dryRun) {
      // Only platforms that apply manifests describe them; the others are not even loaded.
      if (plan.kind === 'deploy' && platformSpec(plan.platform).capabilities.manifests) {
        const described = await (deps.loadDriver ?? defaultLoadDriver)(plan.platform);
        manifests = (await described.describePlan?.(ctx))?.manifests;
      }
      return summarize();
    }
    if (!driver) return summarize();

    emit({ phase: plan.kind, state: 'start', message: `${plan.kind} ${plan.environment} on ${plan.platform}` });
    if (plan.kind === 'deploy') notices?.send('deploy.started', { summary: `${plan.config.app} ${plan.environment}: deploy of ${plan.options.ref ?? 'HEAD'} started`, shipped });
    for (const note of plan.approximations) emit({ phase: plan.kind, state: 'warn', message: note });
    if (plan.kind === 'stop') {
      ctx.step('retire');
      const stopped = await driver.stop(ctx);
      emit({ phase: 'stop', state: 'ok', message: stopped.message ?? `stopped ${plan.environment}` });
      return await record(plan, state, summarize({ message: stopped.message ?? `stopped ${plan.environment}` }), null);
    }
    const journal = new JournalWriter(plan.config.stateDir);
    await journal.begin({ kind: plan.kind === 'rollback' ? 'rollback' : 'deploy', environment: plan.environment, from: activeRelease });
    ctx.journal = journal;
    const outcome = plan.kind === 'rollback' ? await driver.rollback(ctx, plan.options.to ?? undefined) : await driver.deploy(ctx);
    // The run reached an outcome of its own (success, rolled back, failed): nothing is left for recovery.
    await journal.finish();
    await runPostHooks(ctx, outcome);
    await startShipping();
    emit({ phase: plan.kind, state: outcome.status === 'success' ? 'ok' : 'fail', message: `${plan.kind} ${outcome.status}` });
    return notified(await record(plan, state, summarize({ outcome }), outcome));
  } catch (error) {
    if (isUserError(error)) {
      await ctx.journal?.discardIfNothingRecorded();
      const status = error.exitCode === ExitCode.needsHuman ? 'failed' : 'blocked';
      return notified(summarize({ status, exitCode: error.exitCode, message: redactor.redact(error.message) }));
    }
    const message = redactor.redact(error instanceof Error ? error.message : String(error));
    if (plan.options.verbose && error instanceof Error && error.stack) log(redactor.redact(error.stack));
    return notified(summarize({ status: 'failed', exitCode: ExitCode.needsHuman, message: `orchestrator error: ${message}; state may be uncertain, check \`deploy status ${plan.environment}\`` }));
  } finally {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        log(`cleanup failed: ${(error as Error).message}`);
      }
    }
    // After the lock is released: a slow receiver gets a few seconds, never the deploy's time.
    if (notices && !(await notices.close(3_000))) log('some notifications were still in flight at exit; see history for failures');
  }
}

/** Runs every check at once; a check that throws fails with its message instead of taking the run down. */
export async function runPreChecks(checks: PreCheck[], ctx: DeployContext): Promise<PreCheckResult[]> {
  if (checks.length === 0) return [];
  ctx.emit({ phase: 'pre-checks', state: 'start', message: `pre-checks: ${checks.map((c) => c.name).join(', ')}` });
  const results = await Promise.all(
    checks.map(async (check): Promise<PreCheckResult> => {
      let result: PreCheckResult;
      try {
        result = await check.run(ctx);
      } catch (error) {
        const exitCode = isUserError(error) ? error.exitCode : ExitCode.precheckFailed;
        result = { name: check.name, ok: false, detail: firstLine(error), exitCode };
      }
      result = { ...result, detail: ctx.executor.redactor.redact(result.detail) };
      const state = !result.ok && !result.warning ? 'fail' : result.warning ? 'warn' : 'ok';
      ctx.emit({ phase: 'pre-checks', state, message: `${result.name}: ${result.detail}`, check: result });
      return result;
    }),
  );
  const failed = results.filter((r) => !r.ok && !r.warning).length;
  ctx.emit({ phase: 'pre-checks', state: failed ? 'fail' : 'ok', message: failed ? `${failed} pre-check(s) failed; nothing changed` : 'pre-checks passed' });
  return results;
}

async function takeLock(
  plan: DeployPlan,
  deps: RunDeps,
  pre: PreCheckResult[],
  emit: (e: ProgressEvent) => void,
): Promise<{ release(): Promise<void> } | null> {
  const acquire = deps.acquireLock ?? defaultAcquireLock;
  try {
    const lock = await acquire(plan, deps.signal);
    if (lock.warning) {
      pre.push({ name: 'Deploy Lock', ok: true, warning: true, detail: lock.warning });
      emit({ phase: 'lock', state: 'warn', message: lock.warning });
    }
    return lock;
  } catch (error) {
    if (!isUserError(error) || error.exitCode !== ExitCode.locked) throw error;
    pre.push({ name: 'Deploy Lock', ok: false, detail: error.message, exitCode: ExitCode.locked });
    emit({ phase: 'lock', state: 'fail', message: error.message });
    return null;
  }
}

async function defaultAcquireLock(plan: DeployPlan, signal: AbortSignal) {
  const { acquireLock } = await import('../lock/lock.js');
  return acquireLock({ stateDir: plan.config.stateDir, environment: plan.environment, waitMs: plan.options.lockWaitMs, version: plan.toolVersion, signal });
}

/** Appends the run to history.jsonl (never for --dry-run) and passes the summary through. */
async function record(plan: DeployPlan, state: StateStore, summary: DeploySummary, outcome: DeployOutcome | null): Promise<DeploySummary> {
  if (plan.dryRun) return summary;
  const entry: HistoryRecord = {
    ts: new Date().toISOString(),
    type: plan.kind,
    environment: plan.environment,
    status: summary.status,
    verified: outcome?.verified ?? (summary.status === 'success' && plan.kind !== 'stop' && summary.checks.post.length > 0 && summary.checks.post.every((p) => p.ok)),
    ...(outcome ? { release: { ...summary.release, contentHash: outcome.release.contentHash ?? null }, previous: outcome.previousRelease } : {}),
    user: currentUser(),
    host: hostname(),
    checks: summary.checks,
    durationMs: summary.durationMs,
    ...(plan.options.reason ? { reason: plan.options.reason } : {}),
    ...(plan.options.forceUnverified ? { forced: { reason: plan.options.reason ?? '' } } : {}),
    ...(summary.message ? { detail: summary.message } : {}),
    ...(summary.exitCode !== 0 ? { exitCode: summary.exitCode } : {}),
    ...(summary.verification ? { verification: summary.verification } : {}),
    ...(summary.shipped ? { shipped: summary.shipped } : {}),
  };
  const needsHuman = needsHumanOf(summary);
  if (needsHuman) entry.needsHuman = needsHuman;
  await state.appendHistory(entry);
  return summary;
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? 'failed';
}
