import { resolveEnvironment } from '../../config/resolve.js';
import { createExecutor } from '../../exec/executor.js';
import { Redactor } from '../../exec/redact.js';
import { loadDriver } from '../../orchestrator/drivers.js';
import type { DeployContext } from '../../orchestrator/types.js';
import { StateStore } from '../../state/store.js';
import { realClock } from '../../verify/clock.js';

/**
 * What the platform itself reports (container ids and images on docker, deployments on Railway and Kubernetes), for `deploy status`.
 * Read-only: the executor runs under dry-run, so a command marked `mutates` could never slip through.
 */
export async function platformDetail(cwd: string, environment: string, configPath?: string): Promise<string[] | null> {
  const config = await resolveEnvironment(cwd, environment, { configPath });
  if (config.platform === 'local') return null;
  const redactor = new Redactor();
  redactor.add(...config.secrets);
  const executor = createExecutor({ dryRun: true, redactor });
  const state = new StateStore(config.projectRoot, environment);
  const driver = await loadDriver(config.platform);
  const ctx = {
    plan: { environment, config } as unknown as DeployContext['plan'],
    config,
    executor,
    emit: () => {},
    signal: AbortSignal.timeout(15_000),
    clock: realClock,
    state,
    defer: () => {},
    log: () => {},
  } satisfies DeployContext;
  const status = await driver.status(ctx);
  return status.detail ? status.detail.split('\n') : [];
}
