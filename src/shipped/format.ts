import type { DependencyDiff, ReleaseDiff } from '../contracts/release-diff.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * "3 commits since r-1, 1 migration file, 2 dependency changes"; "first release"; "unknown (why)". `counts: false`
 * leaves out the migration and dependency counts, for a listing whose detail lines show them.
 */
export function shippedHeadline(diff: ReleaseDiff, options: { counts?: boolean } = {}): string {
  if (diff.kind === 'first') return 'first release';
  if (diff.kind === 'unknown') return `unknown (${diff.reason ?? 'no diff'})`;
  const [commits, ...rest] = countParts(diff);
  const head = [`${commits} since ${diff.from?.release ?? '?'}`, ...rest.filter((part) => part.endsWith('not included'))];
  return (options.counts === false ? head : [head[0], ...rest]).join(', ');
}

/** For one line of `deploy history`: "3 commits, 1 migration file, 2 dependency changes"; "first release"; "" when unknown. */
export function shippedBrief(diff: ReleaseDiff | undefined): string {
  if (!diff || diff.kind === 'unknown') return '';
  return diff.kind === 'first' ? 'first release' : countParts(diff).join(', ');
}

function countParts(diff: ReleaseDiff): string[] {
  const commits = diff.commits ?? { count: 0, removed: 0, first: [] };
  const parts = [commits.count === 0 ? 'no new commits' : plural(commits.count, 'commit')];
  if (commits.removed > 0) parts.push(`${plural(commits.removed, 'earlier commit')} not included`);
  if (diff.migrations?.length) parts.push(plural(diff.migrations.length, 'migration file'));
  const deps = dependencyCount(diff.dependencies);
  if (deps > 0) parts.push(plural(deps, 'dependency change'));
  else if (diff.dependencies?.lockfiles.length) parts.push(`${diff.dependencies.lockfiles.join(', ')} changed`);
  return parts;
}

/** The lines under the headline: up to `commits` commit subjects (and how many more), then the migration files and dependencies. */
export function shippedDetails(diff: ReleaseDiff, limits: { commits: number; width: number; commitWidth?: number; more?: boolean }): string[] {
  if (diff.kind !== 'diff') return [];
  const lines: string[] = [];
  const listed = (diff.commits?.first ?? []).slice(0, limits.commits);
  for (const c of listed) lines.push(clip(`${c.commit} ${c.subject}`, limits.commitWidth ?? limits.width));
  const more = (diff.commits?.count ?? 0) - listed.length;
  if (limits.more !== false && more > 0 && listed.length > 0) lines.push(`+${more} more`);
  if (diff.migrations?.length) lines.push(clip(`Migrations: ${listed3(diff.migrations)}`, limits.width));
  const deps = dependencyLine(diff.dependencies);
  if (deps) lines.push(clip(`Dependencies: ${deps}`, limits.width));
  return lines;
}

/** "express 4.18.2 → 4.19.2, +zod 3.23.8, -lodash 4.17.21 (+12 transitive)"; the lockfile names when npm's is not one of them. */
export function dependencyLine(deps: DependencyDiff | undefined): string {
  if (!deps || deps.lockfiles.length === 0) return '';
  const items = [
    ...deps.changed.map((d) => `${d.name} ${d.from} → ${d.to}`),
    ...deps.added.map((d) => `+${d.name} ${d.version}`),
    ...deps.removed.map((d) => `-${d.name} ${d.version}`),
  ];
  if (items.length === 0 && deps.transitive === 0) return `${deps.lockfiles.join(', ')} changed`;
  const transitive = deps.transitive > 0 ? `${items.length ? ' ' : ''}(${deps.transitive} transitive)` : '';
  return `${items.join(', ')}${transitive}`;
}

function dependencyCount(deps: DependencyDiff | undefined): number {
  return deps ? deps.added.length + deps.removed.length + deps.changed.length + deps.transitive : 0;
}

function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

/** "a, b, c", or "a, b, c, +4 more". */
function listed3(items: string[]): string {
  return items.length <= 3 ? items.join(', ') : `${items.slice(0, 3).join(', ')}, +${items.length - 3} more`;
}
