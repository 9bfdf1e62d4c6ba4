import { createHash } from 'node:crypto';
import { copyFile, lstat, mkdir, readFile, rename, rm, stat, symlink } from 'node:fs/promises';
import { arch, platform } from 'node:os';
import { join } from 'node:path';
import type { Command } from '../exec/command.js';
import type { Executor } from '../exec/executor.js';
import { writeFileAtomic } from '../state/atomic-write.js';

/**
 * Each release gets its own node_modules: installed once per lockfile with the project's package manager into a
 * content-addressed cache (`<state home>/shipgate/dependencies/<key>/`), keyed by the lockfile, the package manager,
 * node's version, the OS and the CPU. Without a build the release's node_modules is one symlink to that entry, which
 * nothing writes to again; a build (which may write into node_modules: caches, generated clients) gets a private
 * tree of hard links (`cp -al`). Either way an unchanged lockfile installs nothing, and a rollback runs exactly the
 * files its release ran with.
 */
export type PackageManager = 'npm' | 'pnpm' | 'yarn';

/** How the release's node_modules reaches the cache entry. */
export type DependencyTree = 'symlink' | 'hard-links';

export interface Lockfile {
  manager: PackageManager;
  file: string;
}

export interface DependencyResult {
  manager: PackageManager;
  key: string;
  /** `cache`: the tree was there already and no install ran. */
  source: 'cache' | 'installed';
  tree: DependencyTree;
  /** Installed without devDependencies. */
  production: boolean;
  ms: number;
}

export class DependencyInstallError extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number,
    readonly logTail: string[],
    readonly logFile: string,
  ) {
    super(`${command} failed with exit code ${exitCode} (log: ${logFile}); \`dependencies: shared\` uses the project's node_modules instead`);
    this.name = 'DependencyInstallError';
  }
}

const LOCKFILES: Lockfile[] = [
  { manager: 'npm', file: 'package-lock.json' },
  { manager: 'npm', file: 'npm-shrinkwrap.json' },
  { manager: 'pnpm', file: 'pnpm-lock.yaml' },
  { manager: 'yarn', file: 'yarn.lock' },
];

/** Files besides package.json and the lockfile that change what an install produces. */
const INSTALL_INPUTS = ['.npmrc', '.yarnrc', '.yarnrc.yml', 'pnpm-workspace.yaml'];

export async function detectLockfile(dir: string): Promise<Lockfile | null> {
  for (const lock of LOCKFILES) if (await isFile(join(dir, lock.file))) return lock;
  return null;
}

export interface CacheKeyInput {
  lockfile: Lockfile;
  /** The lockfile's text. */
  content: string;
  production: boolean;
  nodeVersion?: string;
  os?: string;
  cpu?: string;
}

/**
 * sha256 of what decides the installed tree. npm's lockfile repeats the project's own name and version; they are
 * left out, so a version bump alone does not cost an install.
 */
export function dependencyCacheKey(input: CacheKeyInput): string {
  const hash = createHash('sha256');
  for (const part of [input.lockfile.manager, input.nodeVersion ?? process.version, input.os ?? platform(), input.cpu ?? arch(), input.production ? 'prod' : 'all']) hash.update(part + '\0');
  hash.update(input.lockfile.manager === 'npm' ? withoutOwnVersion(input.content) : input.content);
  return hash.digest('hex').slice(0, 32);
}

function withoutOwnVersion(content: string): string {
  try {
    const lock = JSON.parse(content) as { name?: unknown; version?: unknown; packages?: Record<string, { name?: unknown; version?: unknown }> };
    delete lock.name;
    delete lock.version;
    if (lock.packages?.['']) {
      delete lock.packages[''].name;
      delete lock.packages[''].version;
    }
    return JSON.stringify(lock);
  } catch {
    return content;
  }
}

export function installCommand(manager: PackageManager, cwd: string, production: boolean, env: Record<string, string>): Command {
  const args: Record<PackageManager, string[]> = {
    npm: ['ci', '--no-audit', '--no-fund', ...(production ? ['--omit=dev'] : [])],
    pnpm: ['install', '--frozen-lockfile', ...(production ? ['--prod'] : [])],
    yarn: ['install', '--frozen-lockfile', '--non-interactive', ...(production ? ['--production'] : [])],
  };
  return { file: manager, args: args[manager], cwd, env, mutates: true, timeoutMs: 15 * 60_000 };
}

export function hardLinkCommand(from: string, to: string): Command {
  // GNU cp: -a keeps symlinks (.bin, pnpm's store links) and modes, -l hard-links regular files.
  return { file: 'cp', args: ['-al', from, to], mutates: true };
}

export interface InstallDependenciesInput {
  releaseDir: string;
  cacheRoot: string;
  executor: Executor;
  /** No devDependencies (there is no build step that could need them). */
  production: boolean;
  env: Record<string, string>;
  /** Where the install's output goes when it ran. */
  logFile: string;
}

/** A release that runs what was installed (no build) shares the cache entry; a build gets its own tree. */
export function treeFor(production: boolean): DependencyTree {
  return production ? 'symlink' : 'hard-links';
}

/** The release's node_modules from the cache, installing into the cache first when the key is new. Null without a lockfile. */
export async function installDependencies(input: InstallDependenciesInput): Promise<DependencyResult | null> {
  const started = performance.now();
  const lockfile = await detectLockfile(input.releaseDir);
  if (!lockfile) return null;
  const key = dependencyCacheKey({ lockfile, content: await readFile(join(input.releaseDir, lockfile.file), 'utf8'), production: input.production });
  const entry = join(input.cacheRoot, key);
  let source: DependencyResult['source'] = 'cache';
  if (!(await isDir(join(entry, 'node_modules')))) {
    await prepareEntry(input, lockfile, entry);
    source = 'installed';
  }
  const target = join(input.releaseDir, 'node_modules');
  await rm(target, { recursive: true, force: true });
  const tree = treeFor(input.production);
  if (tree === 'symlink') await symlink(join(entry, 'node_modules'), target, 'dir');
  else {
    const linked = await input.executor.run(hardLinkCommand(join(entry, 'node_modules'), target));
    if (linked.exitCode !== 0) throw new Error(`linking dependencies from the cache failed: ${linked.stderr.trim()}`);
  }
  return { manager: lockfile.manager, key, source, tree, production: input.production, ms: Math.round(performance.now() - started) };
}

/**
 * A release whose node_modules links to a cache entry that is gone (the cache was deleted) gets it back from its own
 * lockfile: the same key, so the same tree. Null when the release's dependencies are there (or not its own).
 */
export async function restoreDependencies(input: InstallDependenciesInput): Promise<DependencyResult | null> {
  const target = join(input.releaseDir, 'node_modules');
  const link = await lstat(target).catch(() => null);
  if (!link?.isSymbolicLink() || (await isDir(target))) return null;
  return installDependencies(input);
}

/** Installs in a private folder and renames it into place, so a concurrent deploy never sees half a tree. */
async function prepareEntry(input: InstallDependenciesInput, lockfile: Lockfile, entry: string): Promise<void> {
  const work = `${entry}.tmp-${process.pid}-${Date.now()}`;
  await mkdir(work, { recursive: true });
  try {
    for (const name of ['package.json', lockfile.file, ...INSTALL_INPUTS]) {
      if (await isFile(join(input.releaseDir, name))) await copyFile(join(input.releaseDir, name), join(work, name));
    }
    const command = installCommand(lockfile.manager, work, input.production, input.env);
    const result = await input.executor.run(command);
    await writeFileAtomic(input.logFile, result.all);
    const line = [command.file, ...command.args].join(' ');
    if (result.exitCode !== 0) throw new DependencyInstallError(line, result.exitCode, result.all.split('\n').filter(Boolean).slice(-20), input.logFile);
    // A lockfile without dependencies installs nothing; the release still gets its (empty) own folder.
    await mkdir(join(work, 'node_modules'), { recursive: true });
    await rename(work, entry).catch(async (error: NodeJS.ErrnoException) => {
      // Another deploy finished the same key first: its tree is identical.
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** `dependencies: shared`, or no lockfile: the release resolves the project's own node_modules through a link. */
export async function linkProjectDependencies(releaseDir: string, projectRoot: string): Promise<boolean> {
  const project = join(projectRoot, 'node_modules');
  if (!(await isDir(project))) return false;
  const target = join(releaseDir, 'node_modules');
  await rm(target, { recursive: true, force: true });
  await symlink(project, target);
  return true;
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isFile(), () => false);
}

async function isDir(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}
