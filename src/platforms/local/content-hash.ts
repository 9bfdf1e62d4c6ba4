import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * sha256 over a directory tree: every file's relative path, kind and content hash, in sorted path order.
 * Two trees with the same files hash the same wherever they live; `skip` names top-level entries to leave out.
 */
export async function hashTree(root: string, skip: readonly string[] = []): Promise<string> {
  const entries: string[] = [];
  await walk(root, '', new Set(skip), entries);
  entries.sort();
  const hash = createHash('sha256');
  for (const line of entries) hash.update(line + '\n');
  return hash.digest('hex');
}

async function walk(root: string, rel: string, skip: Set<string>, out: string[]): Promise<void> {
  const names = await readdir(join(root, rel));
  for (const name of names) {
    if (rel === '' && skip.has(name)) continue;
    const path = rel ? `${rel}/${name}` : name;
    const full = join(root, path);
    const stats = await lstat(full);
    if (stats.isDirectory()) await walk(root, path, skip, out);
    else if (stats.isSymbolicLink()) out.push(`${path}\0link\0${await readlink(full)}`);
    else if (stats.isFile()) out.push(`${path}\0${stats.mode & 0o111 ? 'exec' : 'file'}\0${await hashFile(full)}`);
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
