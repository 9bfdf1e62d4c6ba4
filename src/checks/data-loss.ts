import type { PreCheckResult } from '../contracts/summary.js';
import { ExitCode } from '../errors.js';
import { releaseDirOf, releaseLogDir } from '../platforms/local/releases.js';
import { findReleaseWrites, readManifest } from '../releases/manifest.js';
import { parsePersist } from '../releases/persist.js';

export interface DataLossInput {
  /** `.deploy/<env>`. */
  stateDir: string;
  /** The release serving now; null before the first deploy. */
  active: string | null;
  /** `persist:` as configured. */
  persist: readonly string[];
  /** --accept-data-loss */
  accept: boolean;
}

/** Files the live release wrote into its own directory that no `persist:` entry keeps. Null: nothing to compare against. */
export interface UndeclaredWrites {
  release: string;
  paths: string[];
  /** The `persist:` line that keeps them (the configured entries plus the new ones). */
  persistLine: string;
}

const NAME = 'Data Loss';
const SHOWN = 5;

export async function findUndeclaredWrites(stateDir: string, release: string, persist: readonly string[]): Promise<UndeclaredWrites | 'no-manifest'> {
  const dir = releaseDirOf(stateDir, release);
  const manifest = await readManifest(releaseLogDir(dir));
  if (!manifest) return 'no-manifest';
  const writes = await findReleaseWrites(dir, manifest);
  // A path persisted since this release was deployed is still a real file here: the next release is seeded from it.
  const kept = parsePersist(persist).map((p) => p.path);
  const paths = [...writes.created, ...writes.changed].filter((path) => !kept.some((k) => path === k || path.startsWith(`${k}/`))).sort();
  return { release, paths, persistLine: persistLine(persist, paths) };
}

/**
 * Before a deploy replaces the live release: what the app wrote inside its release directory would be gone with the
 * next release. Such writes block the deploy (exit 3) and name the `persist:` line that keeps them; with
 * `--accept-data-loss` they are reported as dropped.
 */
export async function checkDataLoss(input: DataLossInput): Promise<PreCheckResult> {
  if (!input.active) return { name: NAME, ok: true, detail: 'first deploy: no live release to compare' };
  const found = await findUndeclaredWrites(input.stateDir, input.active, input.persist);
  if (found === 'no-manifest') return { name: NAME, ok: true, warning: true, detail: `${input.active} has no record of its deployed files (made by an older shipgate); writes inside it cannot be checked` };
  if (found.paths.length === 0) return { name: NAME, ok: true, detail: `no undeclared writes in ${input.active}` };
  const named = listPaths(found.paths);
  if (input.accept) return { name: NAME, ok: true, warning: true, detail: `dropped (--accept-data-loss): ${named}, written in ${input.active}; the new release starts without them` };
  return {
    name: NAME,
    ok: false,
    exitCode: ExitCode.precheckFailed,
    detail: `${input.active} wrote ${named} inside its release directory; the new release would start without ${found.paths.length === 1 ? 'it' : 'them'}. Keep ${found.paths.length === 1 ? 'it' : 'them'} with \`${found.persistLine}\` in deploy.config.yaml, or deploy with --accept-data-loss`,
  };
}

/** For `deploy status`: a warning line as soon as the live release writes where a deploy would lose it. */
export async function releaseWritesWarning(stateDir: string, active: string | null, persist: readonly string[]): Promise<string | null> {
  if (!active) return null;
  const found = await findUndeclaredWrites(stateDir, active, persist).catch(() => null);
  if (!found || found === 'no-manifest' || found.paths.length === 0) return null;
  return `${active} wrote ${listPaths(found.paths)} inside its release directory; the next deploy stops unless \`${found.persistLine}\` keeps ${found.paths.length === 1 ? 'it' : 'them'}`;
}

/** `persist: [db.json, storage/]`: a file at the top is kept as itself, anything deeper by its top folder. */
export function persistLine(configured: readonly string[], paths: readonly string[]): string {
  const entries = [...configured];
  const known = new Set(parsePersist(configured).map((p) => p.path));
  for (const path of paths) {
    const slash = path.indexOf('/');
    const entry = slash === -1 ? path : `${path.slice(0, slash)}/`;
    const key = entry.replace(/\/$/, '');
    if (known.has(key)) continue;
    known.add(key);
    entries.push(entry);
  }
  return `persist: [${entries.join(', ')}]`;
}

function listPaths(paths: readonly string[]): string {
  const more = paths.length > SHOWN ? ` and ${paths.length - SHOWN} more` : '';
  return `${paths.slice(0, SHOWN).join(', ')}${more}`;
}
