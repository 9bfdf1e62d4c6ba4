import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { ExecResult, Executor } from '../../exec/executor.js';
import { UserError, ExitCode } from '../../errors.js';
import { writeJsonAtomic, writeFileAtomic } from '../../state/atomic-write.js';
import { gitArchive, tarExtract, userBuild } from './commands.js';
import { hashTree, type HashedFile } from './content-hash.js';
import { resolveGitSource, type GitSource } from '../../releases/git-source.js';
import { formatReleaseId, isReleaseId } from './release-id.js';
import { externalReleasesDir, legacyReleasesDir } from '../../releases/location.js';
import { recordManifest } from '../../releases/manifest.js';
import type { DependencyTree } from '../../releases/dependency-cache.js';


/** Inside each release directory, next to the app's files: metadata and logs. Not part of the content hash. */
export const META_DIR = '.shipgate';
const META_FILE = 'release.json';
const COPY_EXCLUDES = new Set(['.deploy', 'node_modules', '.git']);

export interface ReleaseInfo {
  id: string;
  version: string;
  commit: string | null;
  /** sha256 of the release's files before the build ran. */
  contentHash: string;
  /** The release directory: the app's files; `build` and `start` run here. */
  dir: string;
  source: 'git' | 'copy';
  createdAt: string;
  buildMs: number | null;
  /** Passed post-deploy verification once (`.shipgate/verified`); retention counts only these. */
  verified?: boolean;
  /**
   * How the release got its node_modules (src/releases/dependency-cache.ts), when it has its own. `tree` and
   * `production` are missing in releases made before the symlinked tree (those have hard links).
   */
  dependencies?: { manager: string; key: string; source: 'cache' | 'installed'; tree?: DependencyTree; production?: boolean; ms: number } | null;
}

export interface CreateReleaseOptions {
  projectRoot: string;
  /** <projectRoot>/.deploy/<env> */
  stateDir: string;
  executor: Executor;
  /** A git ref; default HEAD. Refused when the project is not a git repository. */
  ref?: string;
  /** The run's resolution of the ref (src/releases/git-source.ts), so the release builds the commit the checks saw. */
  source?: Promise<GitSource>;
  /** The user's build line, run in the release directory through a shell. */
  build?: string | null;
  buildTimeoutMs?: number;
  /** Environment for the build (complete: the executor does not add process.env to it). */
  buildEnv?: Record<string, string>;
  /** The commit the CLI shipped to this host, which has no repository (src/remote/working-copy.ts). */
  shippedCommit?: string | null;
  now?: () => Date;
  /**
   * Runs in the new release directory before the build (persisted paths, dependencies); what it returns is
   * recorded in release.json. Its errors fail the release like a failed build.
   */
  prepareDir?: (dir: string, id: string) => Promise<Partial<Pick<ReleaseInfo, 'dependencies'>>>;
}

/** A build that exited non-zero. The release directory is left incomplete and pruned later. */
export class BuildFailedError extends Error {
  constructor(
    readonly releaseId: string,
    readonly exitCode: number,
    readonly logTail: string[],
    readonly logFile: string,
  ) {
    super(`build failed with exit code ${exitCode} (log: ${logFile})`);
    this.name = 'BuildFailedError';
  }
}

/** Outside the project tree (src/releases/location.ts), so test runners and linters never see release copies. */
export function releasesDir(stateDir: string): string {
  return externalReleasesDir(stateDir);
}

/** A release's directory: where releases live now, or `.deploy/<env>/releases/<id>` for one made before they moved. */
export function releaseDirOf(stateDir: string, id: string): string {
  const current = join(releasesDir(stateDir), id);
  if (existsSync(current)) return current;
  const legacy = join(legacyReleasesDir(stateDir), id);
  return existsSync(legacy) ? legacy : current;
}

/** The file that says a release passed post-deploy verification once (src/releases/retention.ts counts only those). */
export function verifiedMarker(releaseDir: string): string {
  return join(releaseLogDir(releaseDir), 'verified');
}

export function releaseLogDir(releaseDir: string): string {
  return join(releaseDir, META_DIR);
}

/** Creates `<releases dir>/<id>` from the commit (git archive) or a copy of the working tree, hashes it, then builds it. */
export async function createRelease(options: CreateReleaseOptions): Promise<ReleaseInfo> {
  const { projectRoot, stateDir, executor } = options;
  const now = options.now ?? (() => new Date());
  const ref = options.ref ?? 'HEAD';
  const { repository: git, commit: resolved } = await (options.source ?? resolveGitSource(executor, projectRoot, ref));
  if (!git && options.ref) throw new UserError(`--ref ${options.ref}: ${projectRoot} is not a git repository`, ExitCode.usage);
  if (git && !resolved) {
    if (options.ref) throw new UserError(`--ref ${ref}: not a commit in this repository`, ExitCode.usage);
    throw new UserError(`${projectRoot}: the git repository has no commit yet; commit first`, ExitCode.usage);
  }
  // A host has no repository: the CLI names the commit it shipped there.
  const commit: string | null = git ? resolved : (options.shippedCommit ?? null);

  const base = releasesDir(stateDir);
  await mkdir(base, { recursive: true });
  const staging = join(base, `.incoming-${process.pid}-${Date.now()}`);
  await mkdir(staging, { recursive: true });
  try {
    if (git && commit) await extractCommit(executor, git, commit, staging);
    else await copyWorkingTree(projectRoot, staging);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }

  const hashed = new Map<string, HashedFile>();
  const contentHash = await hashTree(staging, [META_DIR], hashed);
  const createdAt = now();
  const id = await freeId(base, formatReleaseId(createdAt, commit ?? contentHash));
  const dir = join(base, id);
  await rename(staging, dir);
  await mkdir(releaseLogDir(dir), { recursive: true });

  const prepared = options.prepareDir ? await options.prepareDir(dir, id) : {};
  let buildMs: number | null = null;
  if (options.build) {
    const env = { ...(options.buildEnv ?? (process.env as Record<string, string>)), RELEASE_ID: id, DEPLOY_RELEASE: id };
    const result = await executor.run(userBuild(options.build, dir, env, options.buildTimeoutMs));
    const logFile = join(releaseLogDir(dir), 'build.log');
    await writeFileAtomic(logFile, result.all);
    if (result.exitCode !== 0) throw new BuildFailedError(id, result.exitCode, tail(result.all, 20), logFile);
    buildMs = result.durationMs;
  }

  const info: ReleaseInfo = {
    id,
    version: (await packageVersion(dir)) ?? (commit ? commit.slice(0, 7) : contentHash.slice(0, 7)),
    commit,
    contentHash,
    dir,
    source: git ? 'git' : 'copy',
    createdAt: createdAt.toISOString(),
    buildMs,
    verified: false,
    ...prepared,
  };
  // What was deployed, for the data-loss pre-check: any later write by the app shows up against it.
  await recordManifest(dir, releaseLogDir(dir), hashed);
  // Written last: a release directory without it is incomplete and never deployed.
  await writeJsonAtomic(join(releaseLogDir(dir), META_FILE), { ...info, dir: undefined });
  return info;
}

/** Complete releases, oldest first (also those still under `.deploy/<env>/releases`). */
export async function listReleases(stateDir: string): Promise<ReleaseInfo[]> {
  const [current, legacy] = await Promise.all([releasesDir(stateDir), legacyReleasesDir(stateDir)].map((base) => readdir(base).catch(() => [] as string[])));
  const out: ReleaseInfo[] = [];
  for (const name of [...new Set([...current, ...legacy])].filter(isReleaseId).sort()) {
    const info = await readRelease(stateDir, name);
    if (info) out.push(info);
  }
  return out;
}

export async function readRelease(stateDir: string, id: string): Promise<ReleaseInfo | null> {
  if (!isReleaseId(id)) return null;
  const dir = releaseDirOf(stateDir, id);
  try {
    const meta = JSON.parse(await readFile(join(releaseLogDir(dir), META_FILE), 'utf8')) as Omit<ReleaseInfo, 'dir'>;
    return { ...meta, id, dir, verified: existsSync(verifiedMarker(dir)) };
  } catch {
    return null;
  }
}

/** The archive streams into tar as git writes it: no archive file, and both run at once. */
async function extractCommit(executor: Executor, git: NonNullable<GitSource['repository']>, commit: string, into: string): Promise<void> {
  const failure = extractFailure(await executor.run({ ...gitArchive(git.topLevel, commit, git.prefix), pipeTo: tarExtract('-', into) }));
  if (failure) throw new Error(failure);
}

/**
 * Which side of `git archive | tar -x` failed, in its own words. When tar stops first, git fails too, writing into the
 * closed pipe: tar's error is the one that says why.
 */
export function extractFailure(result: ExecResult): string | null {
  const archive = result.from;
  const cutOff = archive && /write error|broken pipe|unable to write/i.test(archive.stderr);
  if (archive && archive.exitCode !== 0 && !(cutOff && result.exitCode !== 0)) return `git archive failed: ${archive.stderr.trim()}`;
  return result.exitCode !== 0 ? `tar failed: ${result.stderr.trim()}` : null;
}

/** Entry by entry, leaving out the state folder, dependencies and git (the releases may live inside the project). */
async function copyWorkingTree(projectRoot: string, into: string): Promise<void> {
  for (const name of await readdir(projectRoot)) {
    if (COPY_EXCLUDES.has(name)) continue;
    await cp(join(projectRoot, name), join(into, name), {
      recursive: true,
      verbatimSymlinks: true,
      filter: (source) => !relative(projectRoot, source).split(sep).some((part) => part === 'node_modules' || part === '.git'),
    });
  }
}

async function freeId(base: string, candidate: string): Promise<string> {
  for (let n = 1; ; n++) {
    const id = n === 1 ? candidate : `${candidate}-${n}`;
    const taken = await stat(join(base, id)).then(
      () => true,
      () => false,
    );
    if (!taken) return id;
  }
}

async function packageVersion(dir: string): Promise<string | null> {
  try {
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' && pkg.version ? pkg.version : null;
  } catch {
    return null;
  }
}

function tail(text: string, lines: number): string[] {
  return text.split('\n').filter((line) => line.length > 0).slice(-lines);
}
