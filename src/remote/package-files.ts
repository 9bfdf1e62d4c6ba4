import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { packageRoot } from '../package-root.js';

/** Dependencies a host never needs: they serve the kubernetes and railway platforms, which run on the CLI's machine. */
const NOT_ON_HOSTS = new Set(['@kubernetes/client-node', 'undici']);
/** Our build: dist/bin holds the bundled CLI and orchestrator (scripts/bundle.mjs), dist/src the daemons and the host agent. */
const BUILD_PATHS = ['dist/bin', 'dist/src', 'dist/vendor'];
const OWN_PATHS = ['package.json', ...BUILD_PATHS, 'bundles'];

/** A tar member list: each entry is extracted under the host's version folder at `path`, read from `base/path`. */
export interface PackageMember {
  base: string;
  path: string;
}

/**
 * What a host needs to run shipgate: our own build plus the runtime dependencies, wherever npm put them
 * (the package's own node_modules, or a project's, hoisted). Nested node_modules travel inside their parent.
 */
export async function packageMembers(root = packageRoot()): Promise<PackageMember[]> {
  const members: PackageMember[] = OWN_PATHS.filter((path) => existsSync(join(root, path))).map((path) => ({ base: root, path }));
  const seen = new Set<string>();
  const queue: Array<{ name: string; from: string }> = dependencyNames(root).filter((name) => !NOT_ON_HOSTS.has(name)).map((name) => ({ name, from: root }));
  while (queue.length > 0) {
    const { name, from } = queue.shift()!;
    const dir = findModule(name, from);
    if (!dir || seen.has(dir)) continue;
    seen.add(dir);
    for (const next of dependencyNames(dir)) queue.push({ name: next, from: dir });
  }
  const dirs = [...seen].sort();
  for (const dir of dirs) {
    // Inside another member's folder: it travels with it.
    if (dirs.some((other) => other !== dir && dir.startsWith(other + sep))) continue;
    const marker = `${sep}node_modules${sep}`;
    const cut = dir.lastIndexOf(marker);
    members.push({ base: dir.slice(0, cut), path: relative(dir.slice(0, cut), dir) });
  }
  return members;
}

function dependencyNames(dir: string): string[] {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
  return Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies });
}

function findModule(name: string, from: string): string | null {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

/**
 * The exact build: the version plus a hash of our compiled files, so two builds of one version never share a folder.
 */
export async function buildId(root = packageRoot()): Promise<string> {
  const version = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')).version as string;
  const hash = createHash('sha256');
  for (const base of BUILD_PATHS) {
    const files = (await readdir(join(root, base), { recursive: true, withFileTypes: true }).catch(() => []))
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name))
      .sort();
    for (const file of files) hash.update(relative(root, file)).update('\0').update(await readFile(file)).update('\0');
  }
  return `${version}-${hash.digest('hex').slice(0, 12)}`;
}
