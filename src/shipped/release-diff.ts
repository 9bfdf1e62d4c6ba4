import type { DependencyDiff, ReleaseDiff } from '../contracts/release-diff.js';
import type { Executor } from '../exec/executor.js';
import { changedFiles, commitSubjects, countCommits, fileAt, parseCounts, parseNameStatus, parseSubjects, resolveCommit } from './git-commands.js';
import { LOCKFILES, NPM_LOCKFILES, diffNpmLocks, readNpmLock, type LockedPackages } from './lockfile-diff.js';

/** Commits listed by their first line; the count covers all of them. */
export const LISTED_COMMITS = 5;

export interface ReleaseDiffInput {
  executor: Executor;
  /** The project folder, inside its git repository. */
  cwd: string;
  /** The release being replaced, and its commit; null when nothing was deployed before. */
  from: { release: string; commit: string | null } | null;
  /** The commit (or ref) being deployed; null when the deployed release has no commit. */
  to: string | null;
  /** The migrations folders, relative to the project folder. */
  migrationPaths: string[];
}

/** The commit a ref names, in full; null outside a git repository or for an unknown ref. */
export async function resolveDeployedCommit(executor: Executor, cwd: string, ref: string): Promise<string | null> {
  const result = await executor.run(resolveCommit(cwd, ref)).catch(() => null);
  return result?.exitCode === 0 ? result.stdout.trim() || null : null;
}

/**
 * Commits, migration files and dependency changes from the replaced release's commit to the deployed one. `to` may
 * be a ref (`--ref`, HEAD): it is resolved alongside the comparison, which runs in one round of git commands.
 */
export async function releaseDiff(input: ReleaseDiffInput): Promise<ReleaseDiff> {
  const { executor, cwd, from } = input;
  if (!input.to) return from ? { kind: 'unknown', from, to: null, reason: 'the deployed release has no git commit' } : { kind: 'first', from: null, to: null };
  if (!from) return { kind: 'first', from: null, to: await resolveDeployedCommit(executor, cwd, input.to) };
  if (!from.commit) return { kind: 'unknown', from, to: await resolveDeployedCommit(executor, cwd, input.to), reason: `the replaced release ${from.release} has no git commit` };
  // All at once: the deploy waits on these only when its pre-checks are quicker. Why a comparison failed is asked
  // after. Ranges (`a..b`), never a ref as its own argument: a ref cannot be read as an option.
  const run = (command: Parameters<Executor['run']>[0]) => executor.run(command).catch(() => null);
  const [resolved, counts, subjects, migrations, lockfiles] = await Promise.all([
    resolveDeployedCommit(executor, cwd, input.to),
    run(countCommits(cwd, from.commit, input.to)),
    run(commitSubjects(cwd, from.commit, input.to, LISTED_COMMITS)),
    input.migrationPaths.length ? run(changedFiles(cwd, from.commit, input.to, input.migrationPaths)) : null,
    run(changedFiles(cwd, from.commit, input.to, [...LOCKFILES])),
  ]);
  const to = resolved;
  const unknown = (reason: string): ReleaseDiff => ({ kind: 'unknown', from, to, reason });
  const count = counts?.exitCode === 0 ? parseCounts(counts.stdout) : null;
  if (!count || !to) {
    const known = await run(resolveCommit(cwd, from.commit));
    if (!known || /not a git repository/i.test(known.stderr)) return unknown('the project folder is not in a git repository');
    if (known.exitCode !== 0) return unknown(`commit ${from.commit.slice(0, 7)} of ${from.release} is not in this repository`);
    if (!to) return unknown(`${input.to} is not a commit in this repository`);
    return unknown(`git could not compare ${from.commit.slice(0, 7)} with ${to.slice(0, 7)}`);
  }
  return {
    kind: 'diff',
    from,
    to,
    commits: { count: count.added, first: subjects?.exitCode === 0 ? parseSubjects(subjects.stdout) : [], removed: count.removed },
    migrations: migrations?.exitCode === 0 ? parseNameStatus(migrations.stdout).map((f) => `${f.status} ${f.path}`) : [],
    dependencies: await dependencyDiff(executor, cwd, from.commit, to, lockfiles?.exitCode === 0 ? parseNameStatus(lockfiles.stdout).map((f) => f.path) : []),
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
