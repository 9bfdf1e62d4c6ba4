import type { Command } from '../../exec/command.js';

/** Builders for the local platform's internal commands. They return data; the executor runs them. Never through a shell. */

/**
 * Runs at the top level. `<commit>:<prefix>` archives only the project's folder when the project lives in a subfolder
 * of its repository. Without `outFile` the archive goes to stdout (piped into `tarExtract('-', dir)`).
 */
export function gitArchive(topLevel: string, commit: string, prefix: string, outFile?: string): Command {
  const treeish = prefix ? `${commit}:${prefix.replace(/\/$/, '')}` : commit;
  return { file: 'git', args: ['archive', '--format=tar', ...(outFile ? ['-o', outFile] : []), treeish], cwd: topLevel, mutates: true };
}

/** `archive` '-' reads the archive from stdin. */
export function tarExtract(archive: string, into: string): Command {
  return { file: 'tar', args: ['-xf', archive, '-C', into], mutates: true };
}

/** The user's own `build:` line: the one kind of command that runs through a shell (documented). */
export function userBuild(line: string, cwd: string, env: Record<string, string>, timeoutMs?: number): Command {
  return { file: line, args: [], shell: true, cwd, env, mutates: true, timeoutMs };
}
