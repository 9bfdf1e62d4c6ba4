import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hashFile, type HashedFile } from '../platforms/local/content-hash.js';
import { writeJsonAtomic } from '../state/atomic-write.js';

/**
 * What was deployed into a release directory (after the build): every file's size, mtime and sha256. Comparing the
 * live directory with it finds what the app wrote there, which a new release would not carry over.
 */
export interface ReleaseManifest {
  version: 1;
  files: Record<string, { size: number; mtimeMs: number; sha256: string }>;
}

export interface ReleaseWrites {
  created: string[];
  changed: string[];
}

export const MANIFEST_FILE = 'manifest.json';

/** Top-level entries never compared: shipgate's own folder and the dependencies. Persisted paths are links and skipped too. */
const SKIP_TOP = new Set(['.shipgate', 'node_modules']);

/**
 * `hashed`: files already hashed in this directory (the release's content hash, before the build). A file whose inode,
 * size, mtime and ctime are unchanged is not read again; anything the build (or its preparation) wrote is.
 */
export async function recordManifest(releaseDir: string, metaDir: string, hashed?: ReadonlyMap<string, HashedFile>): Promise<ReleaseManifest> {
  const files: ReleaseManifest['files'] = {};
  for (const path of await listFiles(releaseDir)) {
    const stats = await lstat(join(releaseDir, path));
    const known = hashed?.get(path);
    const unchanged = known && known.ino === stats.ino && known.size === stats.size && known.mtimeMs === stats.mtimeMs && known.ctimeMs === stats.ctimeMs;
    files[path] = { size: stats.size, mtimeMs: stats.mtimeMs, sha256: unchanged ? known.sha256 : await hashFile(join(releaseDir, path)) };
  }
  const manifest: ReleaseManifest = { version: 1, files };
  await writeJsonAtomic(join(metaDir, MANIFEST_FILE), manifest);
  return manifest;
}

export async function readManifest(metaDir: string): Promise<ReleaseManifest | null> {
  try {
    const data = JSON.parse(await readFile(join(metaDir, MANIFEST_FILE), 'utf8')) as ReleaseManifest;
    return data.version === 1 && data.files ? data : null;
  } catch {
    return null;
  }
}

/** Files the app created or changed in the release directory since it was deployed (deletions lose nothing). */
export async function findReleaseWrites(releaseDir: string, manifest: ReleaseManifest): Promise<ReleaseWrites> {
  const created: string[] = [];
  const changed: string[] = [];
  for (const path of await listFiles(releaseDir)) {
    const recorded = manifest.files[path];
    if (!recorded) {
      created.push(path);
      continue;
    }
    const stats = await lstat(join(releaseDir, path)).catch(() => null);
    if (!stats) continue;
    if (stats.size === recorded.size && stats.mtimeMs === recorded.mtimeMs) continue;
    // Touched: only a different content is a write worth keeping.
    if ((await hashFile(join(releaseDir, path))) !== recorded.sha256) changed.push(path);
  }
  return { created, changed };
}

/** Regular files below `root`, relative, sorted; symlinks (persisted paths, linked dependencies) are not followed. */
async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(join(root, rel), { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (rel === '' && SKIP_TOP.has(entry.name)) continue;
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) out.push(path);
    }
  };
  await walk('');
  return out.sort();
}
