import type { Command } from '../exec/command.js';

/**
 * Builders for the git commands of a release diff. They run in the project folder, and every path and range is
 * limited to it (`-- .`), so a project in a subfolder of its repository counts only its own commits.
 */
const git = (cwd: string, args: string[]): Command => ({ file: 'git', args, cwd, mutates: false, timeoutMs: 15_000 });

export function resolveCommit(cwd: string, ref: string): Command {
  return git(cwd, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
}

/** "<removed>\t<added>": commits only `from` has, and commits only `to` has. */
export function countCommits(cwd: string, from: string, to: string): Command {
  return git(cwd, ['rev-list', '--left-right', '--count', `${from}...${to}`, '--', '.']);
}

/** The newest `limit` commits `to` has and `from` has not: short sha and first line. */
export function commitSubjects(cwd: string, from: string, to: string, limit: number): Command {
  return git(cwd, ['log', `--max-count=${limit}`, '--format=%h%x09%s', `${from}..${to}`, '--', '.']);
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

export function parseSubjects(stdout: string): Array<{ commit: string; subject: string }> {
  return stdout
    .split('\n')
    .filter((line) => line.includes('\t'))
    .map((line) => {
      const tab = line.indexOf('\t');
      const subject = line.slice(tab + 1).trim();
      return { commit: line.slice(0, tab), subject: subject.length > SUBJECT_MAX ? `${subject.slice(0, SUBJECT_MAX - 1)}…` : subject };
    });
}

/** `M\tmigrations/002.sql` → "M migrations/002.sql". */
export function parseNameStatus(stdout: string): Array<{ status: string; path: string }> {
  return stdout
    .split('\n')
    .map((line) => line.split('\t'))
    .filter((parts) => parts.length >= 2 && parts[0])
    .map(([status, path]) => ({ status: status!.charAt(0), path: path! }));
}
