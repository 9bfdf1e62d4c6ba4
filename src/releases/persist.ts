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
  /** Where the environment's copy was (re)filled from now: this release, the release that served until now, or nothing (created empty); null when it was left as it was. */
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
 * Links every persisted path of a new release (or of a rollback target) to the environment's copy.
 *
 * When the release serving until now has a real file or folder at that path, it holds the newest data and replaces
 * the environment's copy first. That happens when `persist:` was just added, and with apps that save a file by
 * writing a temporary one and renaming it over the old (lowdb, write-file-atomic): the rename replaces the link
 * with a file of the release's own. Otherwise a missing copy is seeded from the new release's files, or created
 * empty for a directory. The release's own copy is then replaced by the link.
 */
export async function linkPersisted(releaseDir: string, sharedDir: string, paths: readonly PersistedPath[], liveReleaseDir: string | null): Promise<LinkedPath[]> {
  const linked: LinkedPath[] = [];
  for (const item of paths) {
    const shared = join(sharedDir, item.path);
    const inRelease = join(releaseDir, item.path);
    let seeded: LinkedPath['seeded'] = null;
    const live = liveReleaseDir && liveReleaseDir !== releaseDir ? join(liveReleaseDir, item.path) : null;
    await mkdir(dirname(shared), { recursive: true });
    if (live && (await isRealEntry(live))) {
      await rm(shared, { recursive: true, force: true });
      await cp(live, shared, { recursive: true, verbatimSymlinks: true });
      seeded = 'live';
    } else if (!(await exists(shared))) {
      if (await isRealEntry(inRelease)) {
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
