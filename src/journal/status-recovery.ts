import { join } from 'node:path';
import { isInterrupted, readJournal } from './journal.js';

/**
 * `deploy status <env>`: an unfinished journal whose orchestrator is dead is recovered first (a recovery-only
 * orchestrator run: lock, recovery, history), so status shows where traffic really is. Returns the one line
 * to tell the user, or null when nothing was interrupted. Never throws: status must still print.
 */
export async function recoverBeforeStatus(projectRoot: string, environment: string, configPath?: string): Promise<string | null> {
  const journal = await readJournal(join(projectRoot, '.deploy', environment));
  if (!isInterrupted(journal)) return null;
  try {
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
    return summary.message ?? `an interrupted ${journal.kind} was recovered`;
  } catch (error) {
    return `an interrupted ${journal.kind} (${journal.phase}) could not be recovered: ${error instanceof Error ? error.message : String(error)}`;
  }
}
