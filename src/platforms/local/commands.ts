import type { Command } from '../../exec/command.js';

/** Builders for the local platform's internal commands. They return data; the executor runs them. Never through a shell. */

export function gitTopLevel(projectRoot: string): Command {
  return { file: 'git', args: ['rev-parse', '--show-toplevel', '--show-prefix'], cwd: projectRoot, mutates: false };
}

export function gitResolveCommit(projectRoot: string, ref: string): Command {
  return { file: 'git', args: ['rev-parse', '--verify', '--end-of-options', `${ref}^{commit}`], cwd: projectRoot, mutates: false };
}

/** Runs at the top level. `<commit>:<prefix>` archives only the project's folder when the project lives in a subfolder of its repository. */
export function gitArchive(topLevel: string, commit: string, prefix: string, outFile: string): Command {
  const treeish = prefix ? `${commit}:${prefix.replace(/\/$/, '')}` : commit;
  return { file: 'git', args: ['archive', '--format=tar', '-o', outFile, treeish], cwd: topLevel, mutates: true };
}

export function tarExtract(archive: string, into: string): Command {
  return { file: 'tar', args: ['-xf', archive, '-C', into], mutates: true };
}

/** The user's own `build:` line: the one kind of command that runs through a shell (documented). */
export function userBuild(line: string, cwd: string, env: Record<string, string>, timeoutMs?: number): Command {
  return { file: line, args: [], shell: true, cwd, env, mutates: true, timeoutMs };
}
