import type { ReleaseDiff } from '../contracts/release-diff.js';
import type { ResolvedEnvironment } from '../config/types.js';
import type { Executor } from '../exec/executor.js';
import type { DeployPlan } from '../orchestrator/plan.js';
import type { StateStore } from '../state/store.js';
import { releaseDiff, resolveDeployedCommit } from './release-diff.js';
import { commitOf, replacedRelease, type HistoryReader } from './replaced-release.js';

/**
 * What this run ships against the release it replaces. A deploy compares the commit it deploys (`--ref`, else HEAD)
 * with the active release's; a rollback compares the release it returns to. On a server reached over SSH the
 * CLI, which has the repository, computed it and put it in the plan. Null for `stop`; never throws.
 */
export async function shippedForRun(plan: DeployPlan, state: StateStore, executor: Executor): Promise<ReleaseDiff | null> {
  if (plan.kind === 'stop') return null;
  if (plan.options.shipped) return plan.options.shipped;
  try {
    const current = await state.read();
    let records: ReturnType<HistoryReader> | null = null;
    const history: HistoryReader = () => (records ??= state.readHistory());
    const from = await replacedRelease(current, history);
    const cwd = plan.config.projectRoot;
    let to: string | null;
    if (plan.kind === 'rollback') {
      const target = plan.options.to ?? current.previous?.release ?? null;
      to = target ? await commitOf(target, current, history) : null;
    } else to = plan.options.source?.commit ?? (await resolveDeployedCommit(executor, cwd, plan.options.ref ?? 'HEAD'));
    if (plan.options.source && from) return { kind: 'unknown', from, to, reason: 'the repository is where the CLI ran; it did not send the diff' };
    return await releaseDiff({ executor, cwd, from, to, migrationPaths: migrationPaths(plan.config.migrations) });
  } catch (error) {
    return { kind: 'unknown', from: null, to: null, reason: (error as Error).message.split('\n')[0] ?? 'failed' };
  }
}

/** The folders whose changes a diff lists as migrations: the configured one, else the tools' usual ones. */
export function migrationPaths(migrations: ResolvedEnvironment['migrations']): string[] {
  if (migrations.dir) return [migrations.dir];
  if (migrations.tool === 'prisma') return ['prisma/migrations'];
  if (migrations.tool === 'drizzle') return ['drizzle'];
  return ['migrations', 'prisma/migrations', 'drizzle'];
}
