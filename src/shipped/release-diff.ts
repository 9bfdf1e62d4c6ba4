import type { DependencyDiff, ReleaseDiff } from '../contracts/release-diff.js';
import type { Executor } from '../exec/executor.js';
import { changedFiles, commitSubjects, countCommits, fileAt, parseCounts, parseNameStatus, parseSideLog, resolveCommit, sideLog, underPath } from './git-commands.js';
import { LOCKFILES, NPM_LOCKFILES, diffNpmLocks, readNpmLock, type LockedPackages } from './lockfile-diff.js';

/** Commits listed by their first line; the count covers all of them. */
export const LISTED_COMMITS = 5;

/** Commits either side read by the one log that lists and counts them; past it, `rev-list --count` counts. */
export const COUNTED_BY_LOG = 200;

export interface ReleaseDiffInput {
  executor: Executor;
  /** The project folder, inside its git repository. */
  cwd: string;
  /** The release being replaced, and its commit; null when nothing was deployed before. */
  from: { release: string; commit: string | null } | null;
  /** The commit (or ref) being deployed; null when the deployed release has no commit. */
  to: string | null;
  /** The commit `to` names, when the run resolved it already (src/releases/git-source.ts): it is not asked again. */
  toCommit?: Promise<string | null>;
  /** The migrations folders, relative to the project folder. */
  migrationPaths: string[];
  /** Tests only: the side log's limit. */
  countedByLog?: number;
}

/** The commit a ref names, in full; null outside a git repository or for an unknown ref. */
export async function resolveDeployedCommit(executor: Executor, cwd: string, ref: string): Promise<string | null> {
  const result = await executor.run(resolveCommit(cwd, ref)).catch(() => null);
  return result?.exitCode === 0 ? result.stdout.trim() || null : null;
}

/**
 * Commits, migration files and dependency changes from the replaced release's commit to the deployed one, in two git
 * commands: one log lists and counts the commits either side, one diff names the changed migrations and lockfiles.
 * `to` may be a ref (`--ref`, HEAD): unless the run resolved it already, it is resolved alongside the comparison.
 */
export async function releaseDiff(input: ReleaseDiffInput): Promise<ReleaseDiff> {
  const { executor, cwd, from } = input;
  const resolveTo = (ref: string) => input.toCommit ?? resolveDeployedCommit(executor, cwd, ref);
  if (!input.to) return from ? { kind: 'unknown', from, to: null, reason: 'the deployed release has no git commit' } : { kind: 'first', from: null, to: null };
  if (!from) return { kind: 'first', from: null, to: await resolveTo(input.to) };
  if (!from.commit) return { kind: 'unknown', from, to: await resolveTo(input.to), reason: `the replaced release ${from.release} has no git commit` };
  // A deploy works these out during its verification window (src/orchestrator/run.ts). Why a comparison failed is
  // asked after. Ranges (`a..b`), never a ref as its own argument: a ref cannot be read as an option. A commit the run
  // resolved is compared as such, so the diff names what the checks saw even if the ref moves meanwhile.
  const run = (command: Parameters<Executor['run']>[0]) => executor.run(command).catch(() => null);
  const known = input.toCommit ? await input.toCommit : undefined;
  const range = known ?? input.to;
  const limit = input.countedByLog ?? COUNTED_BY_LOG;
  const paths = [...input.migrationPaths, ...LOCKFILES];
  const [resolved, logged, changed] = known === null
    ? [null, null, null]
    : await Promise.all([
        known ?? resolveDeployedCommit(executor, cwd, input.to),
        run(sideLog(cwd, from.commit, range, limit)),
        run(changedFiles(cwd, from.commit, range, paths)),
      ]);
  const to = resolved;
  const unknown = (reason: string): ReleaseDiff => ({ kind: 'unknown', from, to, reason });
  const log = logged?.exitCode === 0 ? parseSideLog(logged.stdout, LISTED_COMMITS) : null;
  const counts = log && log.lines >= limit ? await run(countCommits(cwd, from.commit, range)) : null;
  const count = counts ? (counts.exitCode === 0 ? parseCounts(counts.stdout) : null) : log;
  if (!log || !count || !to) {
    const found = await run(resolveCommit(cwd, from.commit));
    if (!found || /not a git repository/i.test(found.stderr)) return unknown('the project folder is not in a git repository');
    if (found.exitCode !== 0) return unknown(`commit ${from.commit.slice(0, 7)} of ${from.release} is not in this repository`);
    if (!to) return unknown(`${input.to} is not a commit in this repository`);
    return unknown(`git could not compare ${from.commit.slice(0, 7)} with ${to.slice(0, 7)}`);
  }
  let first = log.first;
  if (first.length < Math.min(LISTED_COMMITS, count.added)) {
    const subjects = await run(commitSubjects(cwd, from.commit, range, LISTED_COMMITS));
    first = subjects?.exitCode === 0 ? parseSideLog(subjects.stdout, LISTED_COMMITS).first : [];
  }
  const files = changed?.exitCode === 0 ? parseNameStatus(changed.stdout) : [];
  const lockfiles = files.filter((f) => (LOCKFILES as readonly string[]).includes(f.path)).map((f) => f.path);
  return {
    kind: 'diff',
    from,
    to,
    commits: { count: count.added, first, removed: count.removed },
    migrations: files.filter((f) => input.migrationPaths.some((dir) => underPath(f.path, dir))).map((f) => `${f.status} ${f.path}`),
    dependencies: await dependencyDiff(executor, cwd, from.commit, to, lockfiles),
  };
}

async function dependencyDiff(executor: Executor, cwd: string, from: string, to: string, changed: string[]): Promise<DependencyDiff> {
  const empty: DependencyDiff = { lockfiles: changed, added: [], removed: [], changed: [], transitive: 0 };
  const npm = changed.find((file) => NPM_LOCKFILES.includes(file));
  if (!npm) return empty;
  const [before, after] = await Promise.all([lockAt(executor, cwd, from, npm), lockAt(executor, cwd, to, npm)]);
  if (!before || !after) return empty;
  return { lockfiles: changed, ...diffNpmLocks(before, after) };
}

const NO_PACKAGES: LockedPackages = { direct: new Map(), all: new Map() };

/** The lockfile at a commit; no packages when it did not exist there, null when it is not a v2/v3 npm lockfile. */
async function lockAt(executor: Executor, cwd: string, commit: string, file: string): Promise<LockedPackages | null> {
  const shown = await executor.run(fileAt(cwd, commit, file)).catch(() => null);
  if (!shown) return null;
  if (shown.exitCode !== 0) return NO_PACKAGES;
  return readNpmLock(shown.stdout);
}
