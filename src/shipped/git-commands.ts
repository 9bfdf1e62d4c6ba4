import type { Command } from '../exec/command.js';

/**
 * Builders for the git commands of a release diff. They run in the project folder, and every path and range is
 * limited to it (`-- .`), so a project in a subfolder of its repository counts only its own commits.
 */
const git = (cwd: string, args: string[]): Command => ({ file: 'git', args, cwd, mutates: false, timeoutMs: 15_000 });

export function resolveCommit(cwd: string, ref: string): Command {
  return git(cwd, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
}

/**
 * Commits only `from` has (`<`) and commits only `to` has (`>`), newest first: mark, short sha and first line. Up to
 * `limit` lines: below it they count both sides exactly, and the first `>` lines are the newest commits shipped.
 */
export function sideLog(cwd: string, from: string, to: string, limit: number): Command {
  return git(cwd, ['log', '--left-right', `--max-count=${limit}`, '--format=%m%x09%h%x09%s', `${from}...${to}`, '--', '.']);
}

/** The newest `limit` commits `to` has and `from` has not (when the side log reached its limit before listing them). */
export function commitSubjects(cwd: string, from: string, to: string, limit: number): Command {
  return git(cwd, ['log', `--max-count=${limit}`, '--format=>%x09%h%x09%s', `${from}..${to}`, '--', '.']);
}

/** "<removed>\t<added>": commits only `from` has, and commits only `to` has (when the side log reached its limit). */
export function countCommits(cwd: string, from: string, to: string): Command {
  return git(cwd, ['rev-list', '--left-right', '--count', `${from}...${to}`, '--', '.']);
}

/** Files changed between the two commits under the given paths (relative to the project folder). */
export function changedFiles(cwd: string, from: string, to: string, paths: string[]): Command {
  return git(cwd, ['diff', '--no-renames', '--name-status', '--relative', `${from}..${to}`, '--', ...paths]);
}

/** A file of the project as it was at `commit`; `./` makes the path relative to the project folder. */
export function fileAt(cwd: string, commit: string, path: string): Command {
  return git(cwd, ['show', `${commit}:./${path}`]);
}

export function parseCounts(stdout: string): { removed: number; added: number } | null {
  const match = /^(\d+)\s+(\d+)\s*$/.exec(stdout.trim());
  return match ? { removed: Number(match[1]), added: Number(match[2]) } : null;
}

/** Subjects are clipped: a summary carries up to five of them. */
export const SUBJECT_MAX = 72;

export interface SideLog {
  /** Lines read: when it is the log's limit, the counts below may be short of the real ones. */
  lines: number;
  removed: number;
  added: number;
  /** The newest `listed` commits only `to` has. */
  first: Array<{ commit: string; subject: string }>;
}

export function parseSideLog(stdout: string, listed: number): SideLog {
  const log: SideLog = { lines: 0, removed: 0, added: 0, first: [] };
  for (const line of stdout.split('\n')) {
    const tab = line.indexOf('\t', 2);
    if (line.charAt(1) !== '\t' || tab < 0) continue;
    log.lines++;
    if (line.charAt(0) === '<') log.removed++;
    if (line.charAt(0) !== '>') continue;
    log.added++;
    const subject = line.slice(tab + 1).trim();
    if (log.first.length < listed) log.first.push({ commit: line.slice(2, tab), subject: subject.length > SUBJECT_MAX ? `${subject.slice(0, SUBJECT_MAX - 1)}…` : subject });
  }
  return log;
}

/** Whether a path printed by `changedFiles` lies under one of its pathspecs (a folder, or the file itself). */
export function underPath(path: string, spec: string): boolean {
  const folder = spec.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  return folder === '' || folder === '.' || path === folder || path.startsWith(`${folder}/`);
}

/** `M\tmigrations/002.sql` → "M migrations/002.sql". */
export function parseNameStatus(stdout: string): Array<{ status: string; path: string }> {
  return stdout
    .split('\n')
    .map((line) => line.split('\t'))
    .filter((parts) => parts.length >= 2 && parts[0])
    .map(([status, path]) => ({ status: status!.charAt(0), path: path! }));
}
