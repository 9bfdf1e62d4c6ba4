import { existsSync } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ACCESS_LOG_FILE } from '../../router/access-log.js';

/** What the router's access logs say the deployed app serves, for `verify.smoke`. */
export interface ServedRoutes {
  /** The most-served GET paths that answered 2xx, most served first, e.g. "GET /api/items". */
  smoke: string[];
  /** The access logs read, relative to the project root. */
  logs: string[];
  /** GET 2xx requests looked at. */
  requests: number;
  /** Id-like paths left out, generalised ("/users/:id"), most served first. */
  skipped: string[];
}

const MAX_PROPOSED = 5;
/** A route seen once may be a stray request; a smoke check should be something people use. */
const MIN_HITS = 2;
/** Only the end of each log is read: the recent traffic of the release, at a bounded cost. */
const TAIL_BYTES = 4 * 1024 * 1024;
/** A plain path: no query (it may hold a token), no fragment, nothing YAML or a shell would read specially. */
const PLAIN_PATH = /^\/[A-Za-z0-9._~\/-]*$/;

/**
 * Reads `.deploy/<env>/access.log` (and the newest rotated file) of every environment and proposes the most-served
 * 2xx GET paths as smoke checks. Requests with a query string are left out, and so are paths with a segment that
 * looks like an id (numbers, UUIDs, hashes, tokens), which belong to one user or one record.
 */
export async function servedRoutes(projectRoot: string): Promise<ServedRoutes> {
  const counts = new Map<string, number>();
  const skipped = new Map<string, number>();
  const logs: string[] = [];
  let requests = 0;
  for (const file of await accessLogs(projectRoot)) {
    logs.push(file);
    for (const line of await tail(join(projectRoot, file), TAIL_BYTES)) {
      const entry = parse(line);
      if (!entry || entry.method !== 'GET' || entry.status < 200 || entry.status > 299) continue;
      requests++;
      if (!PLAIN_PATH.test(entry.path)) continue;
      const general = generalise(entry.path);
      if (general === entry.path) counts.set(entry.path, (counts.get(entry.path) ?? 0) + 1);
      else skipped.set(general, (skipped.get(general) ?? 0) + 1);
    }
  }
  const ranked = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return {
    smoke: ranked(counts).filter(([, n]) => n >= MIN_HITS).slice(0, MAX_PROPOSED).map(([path]) => `GET ${path}`),
    logs,
    requests,
    skipped: ranked(skipped).slice(0, 3).map(([path]) => path),
  };
}

/** `/users/42/orders` → `/users/:id/orders`; a path without an id-like segment comes back unchanged. */
export function generalise(path: string): string {
  return path
    .split('/')
    .map((segment) => (looksLikeId(segment) ? ':id' : segment))
    .join('/');
}

function looksLikeId(segment: string): boolean {
  if (/^\d+$/.test(segment)) return true;
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(segment)) return true;
  // Hashes, object ids and tokens: long runs of letters and digits mixed.
  if (/^[0-9a-f]{8,}$/i.test(segment) && /\d/.test(segment)) return true;
  return segment.length >= 16 && /\d/.test(segment) && /[A-Za-z]/.test(segment) && /^[A-Za-z0-9_-]+$/.test(segment);
}

async function accessLogs(projectRoot: string): Promise<string[]> {
  const deployDir = join(projectRoot, '.deploy');
  if (!existsSync(deployDir)) return [];
  const found: string[] = [];
  for (const entry of await readdir(deployDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    for (const name of [ACCESS_LOG_FILE, `${ACCESS_LOG_FILE}.1`]) {
      if (existsSync(join(deployDir, entry.name, name))) found.push(`.deploy/${entry.name}/${name}`);
    }
  }
  return found.sort();
}

/** The whole lines in the last `bytes` of a file. */
async function tail(path: string, bytes: number): Promise<string[]> {
  const handle = await open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    const start = Math.max(0, size - bytes);
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    const lines = buffer.toString('utf8').split('\n');
    return start > 0 ? lines.slice(1) : lines;
  } finally {
    await handle.close();
  }
}

function parse(line: string): { method: string; path: string; status: number } | null {
  if (!line.startsWith('{')) return null;
  try {
    const entry = JSON.parse(line) as { method?: unknown; path?: unknown; status?: unknown };
    return typeof entry.method === 'string' && typeof entry.path === 'string' && typeof entry.status === 'number' ? { method: entry.method, path: entry.path, status: entry.status } : null;
  } catch {
    return null;
  }
}
