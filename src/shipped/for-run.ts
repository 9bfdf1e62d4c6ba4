import type { ReleaseDiff } from '../contracts/release-diff.js';
import type { ResolvedEnvironment } from '../config/types.js';
import type { Executor } from '../exec/executor.js';
import type { DeployPlan } from '../orchestrator/plan.js';
import type { EnvironmentState } from '../state/schema.js';
import type { StateStore } from '../state/store.js';
import { releaseDiff } from './release-diff.js';
import { runGitSource, type GitSource } from '../releases/git-source.js';
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
  /** The run's resolution of `--ref` or HEAD (src/releases/git-source.ts), shared with the checks and the release. */
  source?: Promise<GitSource>;
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
    let toCommit: Promise<string | null> | undefined;
    if (plan.kind === 'rollback') {
      const target = plan.options.to ?? state.previous?.release ?? null;
      to = target ? await commitOf(target, state, history) : null;
    } else {
      to = input.commit ?? plan.options.ref ?? 'HEAD';
      if (!input.commit) toCommit = input.source?.then((source) => source.commit);
    }
    return await releaseDiff({ executor, cwd, from, to, toCommit, migrationPaths: migrationPaths(plan.config.migrations) });
  } catch (error) {
    return { kind: 'unknown', from: null, to: null, reason: (error as Error).message.split('\n')[0] ?? 'failed' };
  }
}

/**
 * The orchestrator's: on a server reached over SSH the CLI, which has the repository, computed it and put it in the plan.
 * `state` is the environment's state as the run found it: the diff may be worked out after the run has moved traffic.
 */
export async function shippedForRun(plan: DeployPlan, store: StateStore, executor: Executor, state: EnvironmentState | null): Promise<ReleaseDiff | null> {
  if (plan.options.shipped !== undefined) return plan.options.shipped;
  let records: ReturnType<HistoryReader> | null = null;
  const history: HistoryReader = () => (records ??= store.readHistory());
  if (!state) return null;
  const commit = plan.options.source?.commit;
  // A run given its commit (on a server) resolves nothing here: its project is checked out only under the lock.
  return shippedFor({ plan, state, history, executor, cwd: plan.config.projectRoot, commit, source: commit ? undefined : runGitSource(plan, executor) });
}

/** The folders whose changes a diff lists as migrations: the configured one, else the tools' usual ones. */
export function migrationPaths(migrations: ResolvedEnvironment['migrations']): string[] {
  if (migrations.dir) return [migrations.dir];
  if (migrations.tool === 'prisma') return ['prisma/migrations'];
  if (migrations.tool === 'drizzle') return ['drizzle'];
  return ['migrations', 'prisma/migrations', 'drizzle'];
}
