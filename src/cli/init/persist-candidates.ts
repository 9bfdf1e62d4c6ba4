import { readdir } from 'node:fs/promises';

const DATA_DIRS = new Set(['data', 'storage', 'uploads']);
const DATA_FILES = /^(db\.json|.+\.(sqlite3?|db))$/;

/** Top-level files and folders that look like data an app writes next to its code: proposed for `persist:`. */
export async function persistCandidates(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const entry of entries) {
    if (entry.isDirectory() && DATA_DIRS.has(entry.name)) out.push(`${entry.name}/`);
    else if (entry.isFile() && DATA_FILES.test(entry.name)) out.push(entry.name);
  }
  return out.sort();
}
