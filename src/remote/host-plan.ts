import type { DeployPlan } from '../orchestrator/plan.js';

/** Where an app lives on a host: its state, lock, history and releases, under the deploying user's home. */
export function hostAppDir(home: string, app: string): string {
  return `${home}/.shipgate/apps/${app}`;
}

/** A run's folder on the host (src/remote/agent.ts): messages, control, the orchestrator's output. */
export function hostRunDir(appDir: string, environment: string, runId: string): string {
  return `${appDir}/.deploy/${environment}/runs/${runId}`;
}

/** The plan as the host runs it: the same plan, rooted in the app's folder on the host. */
export function planForHost(plan: DeployPlan, appDir: string): DeployPlan {
  return { ...plan, config: { ...plan.config, projectRoot: appDir, stateDir: `${appDir}/.deploy/${plan.environment}` } };
}
