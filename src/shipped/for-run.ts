import type { ReleaseDiff } from '../contracts/release-diff.js';
import type { ResolvedEnvironment } from '../config/types.js';
import type { Executor } from '../exec/executor.js';
import type { DeployPlan } from '../orchestrator/plan.js';
import type { EnvironmentState } from '../state/schema.js';
import type { StateStore } from '../state/store.js';
import { releaseDiff } from './release-diff.js';
import { commitOf, replacedRelease, type HistoryReader } from './replaced-release.js';

export interface ShippedInput {
  plan: DeployPlan;
  /** The environment's state where the run happens (here, or read from a server). */
  state: EnvironmentState;
  history: HistoryReader;
  executor: Executor;
  /** The project folder in its git repository. */
  cwd: string;
  /** The commit a deploy ships, when it is already known (a deploy over SSH); else `--ref` or HEAD is resolved. */
  commit?: string | null;
}

/**
 * What a run ships against the release it replaces. A deploy compares the commit it deploys (`--ref`, else HEAD)
 * with the active release's; a rollback compares the release it returns to. Null for `stop`; never throws.
 */
export async function shippedFor(input: ShippedInput): Promise<ReleaseDiff | null> {
  const { plan, state, history, executor, cwd } = input;
  if (plan.kind === 'stop') return null;
  try {
    const from = await replacedRelease(state, history);
    let to: string | null;
    if (plan.kind === 'rollback') {
      const target = plan.options.to ?? state.previous?.release ?? null;
      to = target ? await commitOf(target, state, history) : null;
    } else to = input.commit ?? plan.options.ref ?? 'HEAD';
    return await releaseDiff({ executor, cwd, from, to, migrationPaths: migrationPaths(plan.config.migrations) });
  } catch (error) {
    return { kind: 'unknown', from: null, to: null, reason: (error as Error).message.split('\n')[0] ?? 'failed' };
  }
}

/** The orchestrator's: on a server reached over SSH the CLI, which has the repository, computed it and put it in the plan. */
export async function shippedForRun(plan: DeployPlan, store: StateStore, executor: Executor): Promise<ReleaseDiff | null> {
  if (plan.options.shipped !== undefined) return plan.options.shipped;
  let records: ReturnType<HistoryReader> | null = null;
  const history: HistoryReader = () => (records ??= store.readHistory());
  const state = await store.read().catch(() => null);
  if (!state) return null;
  return shippedFor({ plan, state, history, executor, cwd: plan.config.projectRoot, commit: plan.options.source?.commit });
}

/** The folders whose changes a diff lists as migrations: the configured one, else the tools' usual ones. */
export function migrationPaths(migrations: ResolvedEnvironment['migrations']): string[] {
  if (migrations.dir) return [migrations.dir];
  if (migrations.tool === 'prisma') return ['prisma/migrations'];
  if (migrations.tool === 'drizzle') return ['drizzle'];
  return ['migrations', 'prisma/migrations', 'drizzle'];
}
