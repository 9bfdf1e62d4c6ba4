import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';

/** A regular file as a tree hash saw it: its content hash, and what tells whether it was written since. */
export interface HashedFile {
  sha256: string;
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
}

/**
 * sha256 over a directory tree: every file's relative path, kind and content hash, in sorted path order.
 * Two trees with the same files hash the same wherever they live; `skip` names top-level entries to leave out.
 * `files`, when given, receives each regular file's hash (the release manifest reuses them).
 */
export async function hashTree(root: string, skip: readonly string[] = [], files?: Map<string, HashedFile>): Promise<string> {
  const entries: string[] = [];
  await walk(root, '', new Set(skip), entries, files);
  entries.sort();
  const hash = createHash('sha256');
  for (const line of entries) hash.update(line + '\n');
  return hash.digest('hex');
}

async function walk(root: string, rel: string, skip: Set<string>, out: string[], files?: Map<string, HashedFile>): Promise<void> {
  const names = await readdir(join(root, rel));
  for (const name of names) {
    if (rel === '' && skip.has(name)) continue;
    const path = rel ? `${rel}/${name}` : name;
    const full = join(root, path);
    const stats = await lstat(full);
    if (stats.isDirectory()) await walk(root, path, skip, out, files);
    else if (stats.isSymbolicLink()) out.push(`${path}\0link\0${await readlink(full)}`);
    else if (stats.isFile()) {
      const sha256 = await hashFile(full);
      files?.set(path, { sha256, ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs });
      out.push(`${path}\0${stats.mode & 0o111 ? 'exec' : 'file'}\0${sha256}`);
    }
  }
}

export function hashFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
