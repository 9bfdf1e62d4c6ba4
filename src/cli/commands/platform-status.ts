import { resolveEnvironment } from '../../config/resolve.js';
import { platformSpec } from '../../platforms/registry.js';
import { createExecutor } from '../../exec/executor.js';
import { redactorFor } from '../../secrets/for-config.js';
import { loadDriver } from '../../orchestrator/drivers.js';
import type { DeployContext, PlatformDriver } from '../../orchestrator/types.js';
import { StateStore } from '../../state/store.js';
import { realClock } from '../../verify/clock.js';

/**
 * A read-only context for asking a non-local platform about an environment (`deploy status`, `deploy history`).
 * The executor runs under dry-run, so a command marked `mutates` could never slip through. Null for a platform
 * whose runtime status is read directly (local).
 */
export async function platformContext(cwd: string, environment: string, configPath?: string): Promise<{ ctx: DeployContext; driver: PlatformDriver } | null> {
  const config = await resolveEnvironment(cwd, environment, { configPath });
  // A platform whose runtime status `deploy status` reads itself (local) is not asked again.
  if (platformSpec(config.platform).runtimeStatus) return null;
  const redactor = redactorFor(config);
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
    step: () => {},
  } satisfies DeployContext;
  return { ctx, driver };
}

/** What the platform itself reports (container ids and images on docker, deployments on Railway and Kubernetes), for `deploy status`. */
export async function platformDetail(cwd: string, environment: string, configPath?: string): Promise<string[] | null> {
  const found = await platformContext(cwd, environment, configPath);
  if (!found) return null;
  const status = await found.driver.status(found.ctx);
  const lines = status.detail ? status.detail.split('\n') : [];
  return lines.map((line) => found.ctx.executor.redactor.redact(line));
}
