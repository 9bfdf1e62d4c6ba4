import type { DependencyDiff } from '../contracts/release-diff.js';

/** The lockfiles a diff looks at; only npm's are read package by package. */
export const LOCKFILES = ['package-lock.json', 'npm-shrinkwrap.json', 'pnpm-lock.yaml', 'yarn.lock'] as const;
export const NPM_LOCKFILES: readonly string[] = ['package-lock.json', 'npm-shrinkwrap.json'];

interface NpmLock {
  lockfileVersion?: number;
  packages?: Record<string, { version?: string; dependencies?: Record<string, string>; devDependencies?: Record<string, string>; optionalDependencies?: Record<string, string>; peerDependencies?: Record<string, string> }>;
}

/** What an npm lockfile (v2/v3, `packages`) installs: the project's own dependencies, and every package by path. */
export interface LockedPackages {
  direct: Map<string, string>;
  all: Map<string, string>;
}

/** Null when the text is not an npm lockfile with a `packages` map (v1, or not JSON). */
export function readNpmLock(text: string): LockedPackages | null {
  let lock: NpmLock;
  try {
    lock = JSON.parse(text) as NpmLock;
  } catch {
    return null;
  }
  if (!lock || typeof lock.packages !== 'object' || lock.packages === null) return null;
  const root = lock.packages[''] ?? {};
  const names = new Set([root.dependencies, root.devDependencies, root.optionalDependencies, root.peerDependencies].flatMap((deps) => Object.keys(deps ?? {})));
  const all = new Map<string, string>();
  for (const [path, entry] of Object.entries(lock.packages)) if (path && entry?.version) all.set(path, entry.version);
  const direct = new Map<string, string>();
  for (const name of names) {
    const version = all.get(`node_modules/${name}`);
    if (version) direct.set(name, version);
  }
  return { direct, all };
}

/** Direct dependencies added, removed and changed, and how many other installed packages changed. */
export function diffNpmLocks(before: LockedPackages, after: LockedPackages): Omit<DependencyDiff, 'lockfiles'> {
  const added: DependencyDiff['added'] = [];
  const removed: DependencyDiff['removed'] = [];
  const changed: DependencyDiff['changed'] = [];
  for (const [name, version] of after.direct) {
    const old = before.direct.get(name);
    if (old === undefined) added.push({ name, version });
    else if (old !== version) changed.push({ name, from: old, to: version });
  }
  for (const [name, version] of before.direct) if (!after.direct.has(name)) removed.push({ name, version });
  const directPaths = new Set([...before.direct.keys(), ...after.direct.keys()].map((name) => `node_modules/${name}`));
  let transitive = 0;
  for (const [path, version] of after.all) if (!directPaths.has(path) && before.all.get(path) !== version) transitive++;
  for (const path of before.all.keys()) if (!directPaths.has(path) && !after.all.has(path)) transitive++;
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
  return { added: added.sort(byName), removed: removed.sort(byName), changed: changed.sort(byName), transitive };
}
