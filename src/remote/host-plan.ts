import type { DeployPlan } from '../orchestrator/plan.js';
import type { SshTarget } from './ssh-target.js';

/** Where an app lives on a host: its state, lock, history and releases, under the deploying user's home. */
export function hostAppDir(home: string, app: string): string {
  return `${home}/.shipgate/apps/${app}`;
}

/** A run's folder on the host (src/remote/agent.ts): messages, control, the orchestrator's output. */
export function hostRunDir(projectRoot: string, environment: string, runId: string): string {
  return `${projectRoot}/.deploy/${environment}/runs/${runId}`;
}

/** The app's project folder on the host: the shipped commit, checked out under the lock (src/remote/working-copy.ts). */
export function hostProjectRoot(appDir: string): string {
  return `${appDir}/current`;
}

/** Where the archive of a commit waits on the host. */
export function hostSourceArchive(appDir: string, commit: string): string {
  return `${appDir}/sources/${commit}.tar`;
}

/**
 * The plan as the host runs it: the same plan, rooted in the app's folder on the host, with the checks that need the
 * repository (they ran where the CLI is) left out, the commit the CLI shipped instead of a git ref, and the host's
 * own router address when its `hosts:` entry names one.
 */
export function planForHost(plan: DeployPlan, target: SshTarget, appDir: string, shipped: { commit: string } | null, cliSideChecks: readonly string[]): DeployPlan {
  const projectRoot = hostProjectRoot(appDir);
  return {
    ...plan,
    preChecks: plan.preChecks.filter((name) => !cliSideChecks.includes(name)),
    options: { ...plan.options, ref: null, source: shipped ? { archive: hostSourceArchive(appDir, shipped.commit), commit: shipped.commit } : null },
    config: { ...plan.config, hosts: [], listen: target.listen ?? plan.config.listen, projectRoot, stateDir: `${projectRoot}/.deploy/${plan.environment}` },
  };
}
