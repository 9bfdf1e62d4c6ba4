import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type IgnoreRule, isIgnored, parseIgnore } from './ignore-rules.js';
import { tarArchive, type TarEntry } from './tar.js';

/** Never uploaded, whatever the ignore files say: version control and our own state. */
const ALWAYS_SKIPPED = new Set(['.git', '.deploy']);
const IGNORE_FILES = ['.gitignore', '.railwayignore'];

export interface SourceArchive {
  files: string[];
  bytes: number;
  gzip: Buffer;
}

/**
 * The working tree as Railway's upload wants it: a gzip tar of every file that .gitignore and .railwayignore
 * (in any directory, rules applying below it) do not exclude. Symlinks are skipped. Sorted, so it is reproducible.
 */
export async function sourceFiles(root: string): Promise<string[]> {
  const files: string[] = [];
  const walk = async (dir: string, relDir: string, inherited: IgnoreRule[]): Promise<void> => {
    const rules = [...inherited];
    for (const name of IGNORE_FILES) {
      const text = await readFile(join(dir, name), 'utf8').catch(() => null);
      if (text !== null) rules.push(...parseIgnore(text, relDir));
    }
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (ALWAYS_SKIPPED.has(entry.name)) continue;
      const rel = relDir ? `${relDir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!isIgnored(rules, rel, true)) await walk(join(dir, entry.name), rel, rules);
      } else if (entry.isFile()) {
        if (!isIgnored(rules, rel, false)) files.push(rel);
      }
    }
  };
  await walk(root, '', []);
  return files;
}

export async function buildSourceArchive(root: string): Promise<SourceArchive> {
  const files = await sourceFiles(root);
  const entries: TarEntry[] = [];
  let bytes = 0;
  for (const path of files) {
    const full = join(root, ...path.split('/'));
    const [data, info] = await Promise.all([readFile(full), lstat(full)]);
    bytes += data.length;
    entries.push({ path, data, executable: (info.mode & 0o111) !== 0 });
  }
  return { files, bytes, gzip: gzipSync(tarArchive(entries)) };
}
