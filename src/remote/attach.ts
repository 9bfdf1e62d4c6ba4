import type { DeploySummary } from '../contracts/summary.js';
import { ExitCode, UserError } from '../errors.js';
import type { Executor } from '../exec/executor.js';
import { ChildMessageSchema, type ProgressEvent } from '../orchestrator/messages.js';
import { ensureShipgate } from './host-install.js';
import { hostAppDir, hostProjectRoot } from './host-plan.js';
import { spawnRemoteOrchestrator } from './remote-orchestrator.js';
import { remoteScript, type SshOptions } from './ssh-command.js';
import { describeSshFailure } from './ssh-errors.js';
import type { SshTarget } from './ssh-target.js';

export interface AttachResult {
  host: string;
  runId: string | null;
  /** The run's own summary; null while it has none (it died without one, or there was no run). */
  summary: DeploySummary | null;
  running: boolean;
}

const LAST_RUN = 'ls -1 "$1" 2>/dev/null | sort | tail -n 1';

/**
 * Follows the newest run of an environment on a host to its end, or reads how it ended: the way back after the CLI
 * lost its SSH connection mid-run (the run goes on by itself on the host).
 */
export async function attachToHost(target: SshTarget, ssh: SshOptions, executor: Executor, app: string, environment: string, onProgress: (event: ProgressEvent) => void): Promise<AttachResult> {
  const install = await ensureShipgate(target, ssh, executor);
  const runsDir = `${hostProjectRoot(hostAppDir(install.home, app))}/.deploy/${environment}/runs`;
  const listed = await executor.run(remoteScript(target, ssh, LAST_RUN, [runsDir], { mutates: false, timeoutMs: 30_000 }));
  const failure = describeSshFailure(target, listed.exitCode, listed.stderr);
  if (failure) throw new UserError(failure, ExitCode.precheckFailed);
  const runId = listed.stdout.trim() || null;
  if (!runId) return { host: target.label, runId: null, summary: null, running: false };

  const relay = spawnRemoteOrchestrator(target, ssh, install.installDir, `${runsDir}/${runId}`, 'attach');
  let summary: DeploySummary | null = null;
  relay.onMessage((raw) => {
    const parsed = ChildMessageSchema.safeParse(raw);
    if (!parsed.success) return;
    if (parsed.data.type === 'progress') onProgress(parsed.data.event);
    else summary = parsed.data.summary as DeploySummary;
  });
  const exit = await relay.exited;
  return { host: target.label, runId, summary, running: summary === null && exit.exitCode === null };
}
