/**
 * What a release ships compared with the release it replaces (src/shipped/), as the summary, `--json`, history and
 * notifications carry it. Computed with git from the replaced release's commit to the deployed one.
 */
export interface ReleaseDiff {
  /** `first`: nothing was deployed before. `diff`: compared. `unknown`: could not be compared; `reason` says why. */
  kind: 'first' | 'diff' | 'unknown';
  /** The release it is compared with, and its commit. Null for a first release. */
  from: { release: string; commit: string | null } | null;
  /** The deployed commit; null when the project is not a git repository. */
  to: string | null;
  /** Why there is no diff (kind `unknown`), e.g. "the previous release has no commit". */
  reason?: string;
  commits?: {
    /** Commits in the deployed commit that the replaced release did not have (`git rev-list from..to`). */
    count: number;
    /** The first lines of up to 5 of them, newest first. */
    first: Array<{ commit: string; subject: string }>;
    /** Commits the replaced release had that this one does not (deploying or rolling back to an older commit). */
    removed: number;
  };
  /** Files changed in the migrations folder, as `<A|M|D> <path>` relative to the project root. */
  migrations?: string[];
  dependencies?: DependencyDiff;
}

export interface DependencyDiff {
  /** Lockfiles that changed (package-lock.json, npm-shrinkwrap.json, pnpm-lock.yaml, yarn.lock). */
  lockfiles: string[];
  /** The project's own dependencies (package.json), from an npm lockfile (v2/v3): added, removed, version changed. */
  added: Array<{ name: string; version: string }>;
  removed: Array<{ name: string; version: string }>;
  changed: Array<{ name: string; from: string; to: string }>;
  /** Other packages of the npm lockfile (dependencies of dependencies) added, removed or changed. */
  transitive: number;
}
