import type { DeploySummary, PreCheckResult } from '../contracts/summary.js';
import { formatDuration } from '../config/duration.js';
import { ExitCode } from '../errors.js';
import { spawnOrchestrator, type ChildExit, type OrchestratorProcess } from '../exec/spawn-orchestrator.js';
import { buildSummary } from '../summary/build.js';
import { planFields } from '../summary/plan-fields.js';
import type { ProgressEvent } from './messages.js';
import type { DeployPlan } from './plan.js';
import { redactorFor } from '../secrets/for-config.js';
import { childScriptPath, type PendingOrchestrator } from './pending.js';

export type { PendingOrchestrator } from './pending.js';

export interface ParentHooks {
  onProgress(event: ProgressEvent): void;
  /** One-line notices from the parent itself (deadline, interrupt, crash). */
  onNotice(line: string): void;
  /** Called once the child runs; --verbose prints it (tests use it to kill the child). */
  onSpawn?(pid: number): void;
  /** The state the environment was in before the run, for "what is known" after a crash. */
  activeRelease?: string | null;
}

/** A run on a server over SSH: a lost connection is reported, never recovered from here. */
export interface RemoteRun {
  host: string;
  /** The command that shows how the run ended, e.g. `deploy attach production`. */
  followUp: string;
}

/** Grace given to the child after an abort request before it is killed. */
const ABORT_GRACE_MS = 3_000;
/** After the result arrives, the child should be gone within this. */
const EXIT_GRACE_MS = 3_000;

/**
 * Runs a plan in the orchestrator child and returns its summary. Never hangs and never throws
 * for a child failure: a crash, a kill, an invalid message or the run deadline all become a
 * `failed` summary with exit code 4 and one line saying what happened.
 */
export async function runInChild(
  plan: DeployPlan,
  hooks: ParentHooks,
  options: { env?: NodeJS.ProcessEnv; recoverOnly?: boolean; started?: PendingOrchestrator; remote?: RemoteRun } = {},
): Promise<DeploySummary> {
  const startedAt = performance.now();
  const pre: PreCheckResult[] = [];
  let phase = 'start-up';
  let result: DeploySummary | null = null;
  let failure: string | null = null;
  let interrupts = 0;
  let stoppedAtOnce = false;

  const env = options.recoverOnly ? { ...(options.env ?? process.env), DEPLOY_RECOVER_ONLY: '1' } : options.env;
  const [child, { ChildMessageSchema }] = await Promise.all([
    options.started?.child ?? spawnOrchestrator(childScriptPath(), { env, cwd: plan.config.projectRoot }),
    import('./messages.js'),
  ]);
  if (child.pid) hooks.onSpawn?.(child.pid);

  const abort = (reason: string) => child.send({ type: 'abort', reason }).catch(() => {});
  const killAfter = (ms: number) => setTimeout(() => child.kill('SIGKILL'), ms).unref();

  let onResult = () => {};
  const resultArrived = new Promise<ChildExit>((resolve) => (onResult = () => resolve({ exitCode: 0, signal: null })));
  child.onMessage((raw) => {
    const parsed = ChildMessageSchema.safeParse(raw);
    if (!parsed.success) {
      failure ??= 'the orchestrator sent an invalid message';
      child.kill('SIGKILL');
      return;
    }
    const message = parsed.data;
    if (message.type === 'progress') {
      if (message.event.phase !== 'debug') phase = message.event.phase;
      if (message.event.check) pre.push(message.event.check);
      hooks.onProgress(message.event);
    } else {
      result = message.summary as DeploySummary;
      killAfter(EXIT_GRACE_MS);
      onResult();
    }
  });

  const deadline = setTimeout(() => {
    failure ??= `the orchestrator exceeded the run deadline (${formatDuration(plan.deadlineMs)}) during ${phase}`;
    hooks.onNotice(`${failure}; stopping it`);
    void abort('run deadline exceeded');
    killAfter(ABORT_GRACE_MS);
  }, plan.deadlineMs);

  const onSignal = (signal: NodeJS.Signals) => {
    interrupts += 1;
    if (interrupts === 1) {
      hooks.onNotice(`${signal}: aborting the ${plan.kind} (press Ctrl-C again to stop at once)`);
      void abort(`interrupted by ${signal}`);
    } else {
      failure ??= `stopped at once by a second ${signal} during ${phase}`;
      stoppedAtOnce = true;
      child.kill('SIGKILL');
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let exit: ChildExit;
  try {
    await child.send({ type: 'start', plan });
    // After its result the child only exits (src/orchestrator/child.ts): the summary does not wait the ~30 ms that takes.
    exit = await Promise.race([child.exited, resultArrived]);
  } catch (error) {
    failure ??= `could not start the orchestrator: ${(error as Error).message}`;
    child.kill('SIGKILL');
    exit = await child.exited;
  } finally {
    clearTimeout(deadline);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  // A result that arrived (even after an abort) is the orchestrator's own account: trust it.
  const summary = result as DeploySummary | null;
  if (summary) return summary;

  const what = failure ?? (options.remote ? `lost the connection to ${options.remote.host} during ${phase}` : describeExit(exit, phase));
  if (options.remote) {
    // The run on the host goes on by itself (src/remote/agent.ts); recovering from here would race it.
    const redactor = plan.options.verbose ? redactorFor(plan.config) : null;
    for (const line of redactor ? child.outputTail() : []) hooks.onNotice(`ssh: ${redactor!.redact(line)}`);
    return failedSummary(plan, hooks, pre, startedAt, `${what}; the run goes on there to a safe end: ${options.remote.followUp}`);
  }
  // The orchestrator died (not a second Ctrl-C, which leaves the journal on purpose): recover right away.
  const recovery = !stoppedAtOnce && !options.recoverOnly && !plan.dryRun && plan.kind !== 'stop' ? await recoverAfterCrash(plan, hooks, options.env, what) : null;
  if (recovery) return { ...recovery, durationMs: performance.now() - startedAt };
  const message = `${what}; state may be uncertain: check \`deploy status ${plan.environment}\``;
  // Whatever the dying child wrote (a stack, an app's output) may hold a secret: the plan's redactor hides it.
  const redactor = plan.options.verbose ? redactorFor(plan.config) : null;
  for (const line of redactor ? child.outputTail() : []) hooks.onNotice(`orchestrator: ${redactor!.redact(line)}`);
  return failedSummary(plan, hooks, pre, startedAt, message);
}

/** A run that ended without the orchestrator's own account: exit 4, with what is known. */
function failedSummary(plan: DeployPlan, hooks: ParentHooks, pre: PreCheckResult[], startedAt: number, message: string): DeploySummary {
  return buildSummary({
    ...planFields(plan),
    pre,
    activeRelease: hooks.activeRelease ?? null,
    durationMs: performance.now() - startedAt,
    status: 'failed',
    exitCode: ExitCode.needsHuman,
    message,
  });
}

/** Runs a recovery-only orchestrator (lock, journal recovery, nothing else). Null when it did not recover. */
async function recoverAfterCrash(plan: DeployPlan, hooks: ParentHooks, env: NodeJS.ProcessEnv | undefined, what: string): Promise<DeploySummary | null> {
  hooks.onNotice(`${what}; recovering`);
  const summary = await runInChild(plan, { ...hooks, onSpawn: undefined }, { env, recoverOnly: true }).catch(() => null);
  if (!summary || summary.exitCode !== ExitCode.rolledBack) return null;
  return { ...summary, message: `${what}; ${summary.message ?? 'recovered'}` };
}

function describeExit(exit: ChildExit, phase: string): string {
  if (exit.signal) return `the orchestrator was killed (${exit.signal}) during ${phase}`;
  if (exit.exitCode !== null && exit.exitCode !== 0) return `the orchestrator crashed (exit ${exit.exitCode}) during ${phase}`;
  return `the orchestrator ended without a result during ${phase}`;
}
