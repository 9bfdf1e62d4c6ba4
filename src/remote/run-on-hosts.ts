import { randomBytes } from 'node:crypto';
import type { DeploySummary, HostResult, PreCheckResult } from '../contracts/summary.js';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode, isUserError, UserError } from '../errors.js';
import { createExecutor, type Executor } from '../exec/executor.js';
import { Redactor } from '../exec/redact.js';
import { runInChild, type ParentHooks, type PendingOrchestrator } from '../orchestrator/parent.js';
import type { DeployPlan } from '../orchestrator/plan.js';
import { buildSummary } from '../summary/build.js';
import { planFields } from '../summary/plan-fields.js';
import { ensureShipgate, type HostInstall } from './host-install.js';
import { hostAppDir, hostProjectRoot, hostRunDir, hostSourceArchive, planForHost } from './host-plan.js';
import { remoteScript } from './ssh-command.js';
import { describeSshFailure } from './ssh-errors.js';
import { spawnRemoteOrchestrator } from './remote-orchestrator.js';
import { rollHosts, type HostFate } from './roll-hosts.js';
import { shippedToHost } from './host-shipped.js';
import { packSource, uploadSource } from './ship-source.js';
import type { SshOptions } from './ssh-command.js';
import type { SshTarget } from './ssh-target.js';
import { PRE_CHECKS } from '../checks/registry.js';

/**
 * Checks that run where the CLI is, before anything reaches a host (their `cliSide` in src/checks/catalog/): the ones that need the repository, and the
 * production gate, which reads the required environment's history (here, or fetched from its servers).
 */
export const CLI_SIDE_CHECKS: readonly string[] = PRE_CHECKS.filter((check) => check.cliSide).map((check) => check.name);

export interface HostsRun {
  plan: DeployPlan;
  targets: SshTarget[];
  ssh: SshOptions;
  hooks: ParentHooks;
  /** The local orchestrator the CLI started early; it runs the CLI-side checks. */
  local: PendingOrchestrator;
  /** The servers of the environment the production gate requires (`requires:`), when it runs on servers. */
  requiredHosts: SshTarget[];
}

interface Prepared {
  target: SshTarget;
  install: HostInstall;
  appDir: string;
  /** The commit shipped to it, for a deploy. */
  commit?: string;
}

/**
 * A run on servers over SSH, one host at a time: the repository's checks here, then on each host in turn the same
 * orchestrator as locally (host checks, lock, rollout, verification, rollback). A host that fails is rolled back by
 * its own run; every host done before it is then rolled back too, so all of them end on the release they had.
 */
export async function runOnHosts(run: HostsRun): Promise<DeploySummary> {
  const { plan, hooks } = run;
  const started = performance.now();
  const redactor = new Redactor();
  redactor.add(...plan.config.secrets);
  const executor = createExecutor({ redactor, onLog: (line) => plan.options.verbose && hooks.onNotice(line) });
  const finish = (summary: DeploySummary, hosts: HostResult[]) => ({ ...summary, hosts, durationMs: Math.round(performance.now() - started) });

  const gateHistory = await fetchRequiredHistory(run, executor).catch((error: unknown) => {
    if (isUserError(error)) return error;
    throw error;
  });
  if (gateHistory instanceof Error) return finish(blocked(plan, [{ name: 'Staging Verified', ok: false, detail: gateHistory.message, exitCode: ExitCode.precheckFailed }], gateHistory.message), []);
  const local = await localChecks({ ...run, plan: { ...plan, options: { ...plan.options, gateHistoryRoot: gateHistory?.root ?? null } } }).finally(() => gateHistory?.dispose());
  if (local.some((c) => !c.ok && !c.warning) || plan.dryRun) {
    return finish(blocked(plan, local, null), []);
  }

  let prepared: Prepared[];
  try {
    prepared = await Promise.all(run.targets.map(async (target) => prepareHost(run, target, executor)));
    if (plan.kind === 'deploy') {
      const source = await packSource(plan.config.projectRoot, plan.options.ref ?? 'HEAD', executor);
      try {
        await Promise.all(prepared.map((host) => uploadSource(host.target, run.ssh, executor, source, hostSourceArchive(host.appDir, source.commit))));
      } finally {
        await source.dispose();
      }
      prepared.forEach((host) => (host.commit = source.commit));
    }
  } catch (error) {
    if (!isUserError(error)) throw error;
    return finish(blocked(plan, [...local, { name: 'Hosts', ok: false, detail: error.message, exitCode: error.exitCode }], error.message), []);
  }

  const fates = await rollHosts(prepared, plan.kind === 'deploy' ? plan.config.batch : 1, {
    run: async (host) => runOnHost(run, host, planForHost(await withShipped(run, host, plan, executor), host.target, host.appDir, host.commit ? { commit: host.commit } : null, CLI_SIDE_CHECKS)),
    ok: (summary) => summary.exitCode === ExitCode.ok,
    // A host that failed rolled itself back (or needs a human); every host that ended well is put back on its release.
    undo: plan.kind === 'deploy'
      ? async (host) => runOnHost(run, host, planForHost(await withShipped(run, host, { ...plan, kind: 'rollback', preChecks: [] }, executor), host.target, host.appDir, null, CLI_SIDE_CHECKS))
      : undefined,
    onFailure: (failed, undoing) => undoing > 0 && hooks.onNotice(`${failed.map((h) => h.target.label).join(', ')} failed; rolling back ${undoing} host(s) that had deployed`),
  });
  return finish(...outcome(fates, prepared, local));
}

/** The run's summary from each host's fate: the first failed host's run, else the last host's, with the CLI's checks. */
function outcome(fates: HostFate<DeploySummary>[], prepared: Prepared[], local: PreCheckResult[]): [DeploySummary, HostResult[]] {
  const results: HostResult[] = [];
  for (const fate of fates) {
    const target = prepared[fate.host].target;
    if (fate.state === 'untouched') continue;
    if (fate.state !== 'undone') results.push(hostResult(target, fate.run));
    else results.push({ ...hostResult(target, fate.undo), status: fate.undo.exitCode === ExitCode.ok ? 'rolled_back' : 'failed' });
  }
  const failed = fates.filter((f) => f.state === 'failed');
  const undone = fates.filter((f) => f.state === 'undone');
  const ran = fates.filter((f) => f.state !== 'untouched');
  const main = (failed[0] ?? ran.at(-1)!).run;
  const summary = { ...main, checks: { ...main.checks, pre: [...local, ...main.checks.pre] } };
  if (failed.length === 0) return [summary, results];
  const untouched = fates.filter((f) => f.state === 'untouched').length;
  const message = `${failed.map((f) => `${prepared[f.host].target.label}: ${f.run.message ?? f.run.status}`).join('; ')}${untouched > 0 ? `; ${untouched} later host(s) not touched` : ''}`;
  if (undone.length === 0) return [{ ...summary, message }, results];
  // Everyone is back on the release they had when each undo worked and each failed host changed nothing or rolled back.
  const restored = undone.every((f) => f.undo.exitCode === ExitCode.ok) && failed.every((f) => f.run.status === 'rolled_back' || f.run.status === 'blocked');
  return [{ ...summary, message, exitCode: restored ? ExitCode.rolledBack : ExitCode.needsHuman, status: restored ? 'rolled_back' : 'failed' }, results];
}

/**
 * The required environment's history from the last of its servers (the last is verified only when every one before
 * it was), copied into a folder shaped like a project's `.deploy/`, for the production gate.
 */
async function fetchRequiredHistory(run: HostsRun, executor: Executor): Promise<{ root: string; dispose(): Promise<void> } | null> {
  const { plan } = run;
  const requires = plan.config.requires;
  const last = run.requiredHosts.at(-1);
  if (plan.kind !== 'deploy' || !requires || !plan.preChecks.includes('gate') || !last) return null;
  const install = await ensureShipgate(last, run.ssh, executor);
  const file = `${hostProjectRoot(hostAppDir(install.home, plan.config.app))}/.deploy/${requires}/history.jsonl`;
  const read = await executor.run(remoteScript(last, run.ssh, 'cat "$1" 2>/dev/null || true', [file], { mutates: false, timeoutMs: 30_000 }));
  const failure = describeSshFailure(last, read.exitCode, read.stderr);
  if (failure) throw new UserError(failure, ExitCode.precheckFailed);
  const root = await mkdtemp(join(tmpdir(), 'shipgate-gate-'));
  await mkdir(join(root, '.deploy', requires), { recursive: true });
  await writeFile(join(root, '.deploy', requires, 'history.jsonl'), read.stdout, { mode: 0o600 });
  return { root, dispose: () => rm(root, { recursive: true, force: true }) };
}

async function localChecks(run: HostsRun): Promise<PreCheckResult[]> {
  const wanted = run.plan.kind === 'deploy' ? run.plan.preChecks.filter((name) => CLI_SIDE_CHECKS.includes(name)) : [];
  if (wanted.length === 0 && !run.plan.dryRun) {
    run.local.cancel();
    return [];
  }
  // The local orchestrator in its read-only mode: it runs the checks and changes nothing.
  const summary = await runInChild({ ...run.plan, dryRun: true, preChecks: run.plan.dryRun ? run.plan.preChecks : wanted }, run.hooks, { started: run.local });
  return summary.checks.pre;
}

async function prepareHost(run: HostsRun, target: SshTarget, executor: Executor): Promise<Prepared> {
  run.hooks.onProgress({ phase: 'hosts', state: 'start', message: `${target.label}: checking shipgate` });
  const install = await ensureShipgate(target, run.ssh, executor);
  run.hooks.onProgress({ phase: 'hosts', state: 'ok', message: `${target.label}: Node ${install.nodeVersion}, shipgate ${install.installed ? 'installed' : 'present'}` });
  return { target, install, appDir: hostAppDir(install.home, run.plan.config.app) };
}

/** The plan with what it ships to this host, worked out here where the repository is (src/remote/host-shipped.ts). */
async function withShipped(run: HostsRun, host: Prepared, plan: DeployPlan, executor: Executor): Promise<DeployPlan> {
  const shipped = await shippedToHost(plan, host.target, run.ssh, executor, host.appDir, plan.kind === 'deploy' ? (host.commit ?? null) : null);
  return shipped ? { ...plan, options: { ...plan.options, shipped } } : plan;
}

async function runOnHost(run: HostsRun, host: Prepared, plan: DeployPlan): Promise<DeploySummary> {
  const runId = `${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${plan.kind}-${randomBytes(3).toString('hex')}`;
  const runDir = hostRunDir(plan.config.projectRoot, plan.environment, runId);
  run.hooks.onProgress({ phase: 'hosts', state: 'start', message: `${host.target.label}: ${plan.kind}` });
  const child = spawnRemoteOrchestrator(host.target, run.ssh, host.install.installDir, runDir);
  return runInChild(plan, { ...run.hooks, onProgress: (event) => run.hooks.onProgress({ ...event, message: `${host.target.label}: ${event.message}` }) }, {
    started: { child: Promise.resolve(child), cancel: () => undefined },
    remote: { host: host.target.label, followUp: `deploy attach ${plan.environment}` },
  });
}

function hostResult(target: SshTarget, summary: DeploySummary): HostResult {
  return { host: target.label, status: summary.status, exitCode: summary.exitCode, release: summary.release.id || null, ...(summary.message ? { message: summary.message } : {}) };
}

function blocked(plan: DeployPlan, pre: PreCheckResult[], message: string | null): DeploySummary {
  return buildSummary({ ...planFields(plan), pre, durationMs: 0, ...(message ? { message } : {}) });
}
