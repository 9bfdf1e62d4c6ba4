import type { ReleaseDiff } from '../contracts/release-diff.js';
import type { Executor } from '../exec/executor.js';
import type { DeployPlan } from '../orchestrator/plan.js';
import { shippedFor } from '../shipped/for-run.js';
import { EnvironmentStateSchema, emptyState } from '../state/schema.js';
import { hostProjectRoot } from './host-plan.js';
import { remoteScript, type SshOptions } from './ssh-command.js';
import type { SshTarget } from './ssh-target.js';

/**
 * What a run ships to one host, computed here where the repository is: the host has only the shipped commit's
 * files. Its state.json (read over the shared SSH connection) says which release it runs; git compares that
 * release's commit with the commit shipped (or, for a rollback, the release returned to). Null when the host's
 * state cannot be read: the host's run then says the diff is unknown.
 */
export async function shippedToHost(plan: DeployPlan, target: SshTarget, ssh: SshOptions, executor: Executor, appDir: string, commit: string | null): Promise<ReleaseDiff | null> {
  const file = `${hostProjectRoot(appDir)}/.deploy/${plan.environment}/state.json`;
  const read = await executor.run(remoteScript(target, ssh, 'cat "$1" 2>/dev/null || true', [file], { mutates: false, timeoutMs: 30_000 })).catch(() => null);
  if (!read || read.exitCode !== 0) return null;
  let data: unknown = null;
  try {
    data = read.stdout.trim() ? JSON.parse(read.stdout) : null;
  } catch {
    return null;
  }
  const parsed = data === null ? { success: true as const, data: emptyState(plan.environment) } : EnvironmentStateSchema.safeParse(data);
  if (!parsed.success) return null;
  return shippedFor({ plan, state: parsed.data, history: async () => [], executor, cwd: plan.config.projectRoot, commit });
}
