import { join } from 'node:path';
import { ExitCode } from '../errors.js';
import { isInterrupted, isPidAlive, readJournal, type Journal } from './journal.js';

export interface RecoveryRun {
  /** The journal found, or null when no run was interrupted. */
  journal: Journal | null;
  /** One line for the user. */
  message: string;
  exitCode: number;
}

/**
 * `deploy recover <env>`: a journal whose orchestrator is dead is recovered by a recovery-only orchestrator run
 * (lock, the platform's recovery, history). Nothing interrupted: nothing happens, exit 0.
 */
export async function recoverEnvironment(projectRoot: string, environment: string, configPath?: string): Promise<RecoveryRun> {
  const journal = await readJournal(join(projectRoot, '.deploy', environment));
  if (journal && journal.phase !== 'done' && isPidAlive(journal.pid)) {
    return { journal: null, message: `a ${journal.kind} of ${environment} is running (pid ${journal.pid}); nothing to recover`, exitCode: ExitCode.locked };
  }
  if (!isInterrupted(journal)) return { journal: null, message: `nothing to recover: no interrupted deploy or rollback of ${environment}`, exitCode: ExitCode.ok };
  const [{ loadRecipes }, { resolveEnvironment }, { buildPlan }, { runInChild }, { readPackageVersion }] = await Promise.all([
    import('../bundle/load.js'),
    import('../config/resolve.js'),
    import('../orchestrator/plan.js'),
    import('../orchestrator/parent.js'),
    import('../cli/version.js'),
  ]);
  const recipes = await loadRecipes();
  const config = await resolveEnvironment(projectRoot, environment, { configPath, recipes });
  const plan = buildPlan({
    kind: 'deploy',
    config,
    recipes,
    dryRun: false,
    toolVersion: readPackageVersion(),
    now: new Date(),
    options: { ref: null, to: null, yes: true, forceUnverified: false, reason: 'recovery', allowDirty: true, lockWaitMs: 10_000, verbose: false },
  });
  const summary = await runInChild(plan, { onProgress: () => undefined, onNotice: () => undefined }, { recoverOnly: true });
  // A recovery-only run reports "rolled back" (exit 1) when it put traffic back: for this command that is success.
  const exitCode = summary.exitCode === ExitCode.rolledBack ? ExitCode.ok : summary.exitCode;
  const fallback = exitCode === ExitCode.ok ? `the interrupted ${journal.kind} was recovered` : `the interrupted ${journal.kind} was not recovered (exit ${exitCode})`;
  return { journal, message: summary.message ?? fallback, exitCode };
}
