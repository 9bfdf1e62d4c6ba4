import { cp, lstat, mkdir, rm, symlink } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';

/**
 * `persist: [db.json, storage/]` (Capistrano's linked files and directories): each path lives once per environment,
 * under `.deploy/<env>/shared/<path>` (the folder `DEPLOY_SHARED_DIR` names), and every release gets a symlink to it.
 * A trailing "/" marks a directory. Data therefore survives deploys and rollbacks: every release reads and writes
 * the same files.
 */
export interface PersistedPath {
  /** As written in the config, e.g. "storage/". */
  entry: string;
  /** Normalised relative path without a trailing slash, e.g. "storage". */
  path: string;
  directory: boolean;
}

export interface LinkedPath extends PersistedPath {
  /** Where the first copy came from: this release, the release that served until now, or nothing (created empty). */
  seeded: 'release' | 'live' | 'empty' | null;
}

export function parsePersist(entries: readonly string[]): PersistedPath[] {
  return entries.map((entry) => ({ entry, path: normalize(entry).replace(/\/+$/, ''), directory: entry.endsWith('/') }));
}

/** Why a `persist:` entry cannot be used, or null. Applied by the config schema. */
export function persistEntryProblem(entry: string): string | null {
  const path = normalize(entry).replace(/\/+$/, '');
  if (entry.startsWith('/') || path === '..' || path.startsWith('../')) return 'must be a path inside the release, like db.json or storage/';
  if (path === '.' || path === '') return 'must name a file or folder of the release, not the release itself';
  const top = path.split('/')[0];
  if (top === '.shipgate' || top === 'node_modules') return `${top} is managed by shipgate; persist a path of the app`;
  return null;
}

/**
 * Links every persisted path of a new release to the environment's copy. The first time a path is persisted, its
 * copy is seeded from the release that served until now when it has its own (so data written before `persist:` was
 * added is kept), else from the new release's files; a directory that neither has is created empty. The release's
 * own copy is then replaced by the link.
 */
export async function linkPersisted(releaseDir: string, sharedDir: string, paths: readonly PersistedPath[], liveReleaseDir: string | null): Promise<LinkedPath[]> {
  const linked: LinkedPath[] = [];
  for (const item of paths) {
    const shared = join(sharedDir, item.path);
    const inRelease = join(releaseDir, item.path);
    let seeded: LinkedPath['seeded'] = null;
    if (!(await exists(shared))) {
      await mkdir(dirname(shared), { recursive: true });
      const live = liveReleaseDir ? join(liveReleaseDir, item.path) : null;
      if (live && (await isRealEntry(live))) {
        await cp(live, shared, { recursive: true, verbatimSymlinks: true });
        seeded = 'live';
      } else if (await isRealEntry(inRelease)) {
        await cp(inRelease, shared, { recursive: true, verbatimSymlinks: true });
        seeded = 'release';
      } else if (item.directory) {
        await mkdir(shared, { recursive: true });
        seeded = 'empty';
      }
      // A file that nobody has yet: the link dangles until the app creates it, which writes through to the shared copy.
    }
    await rm(inRelease, { recursive: true, force: true });
    await mkdir(dirname(inRelease), { recursive: true });
    await symlink(shared, inRelease);
    linked.push({ ...item, seeded });
  }
  return linked;
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

/** A file or folder of its own, not a link to the shared copy. */
async function isRealEntry(path: string): Promise<boolean> {
  const stats = await lstat(path).catch(() => null);
  return stats !== null && !stats.isSymbolicLink();
}
