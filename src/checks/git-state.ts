import type { Command } from '../exec/command.js';
import type { Executor } from '../exec/executor.js';
import type { PreCheckResult } from '../contracts/summary.js';
import { ExitCode } from '../errors.js';
import { resolveGitSource, type GitSource } from '../releases/git-source.js';

export const gitCommands = {
  status: (cwd: string): Command => ({ file: 'git', args: ['status', '--porcelain', '--untracked-files=normal'], cwd, mutates: false, timeoutMs: 10_000 }),
};

export interface GitCheckInput {
  cwd: string;
  executor: Executor;
  /** Production refuses a dirty tree unless allowDirty (--allow-dirty). */
  production: boolean;
  allowDirty: boolean;
  /** --ref: deploy this commit instead of HEAD. */
  ref?: string | null;
  /** The run's resolution of the ref (src/releases/git-source.ts), shared with the release; resolved here when absent. */
  source?: Promise<GitSource>;
}

export interface GitCheck {
  result: PreCheckResult;
  /** Full commit sha, or null outside a git repository. */
  commit: string | null;
  dirty: boolean;
}

const NAME = 'Git';

/** Records the commit being deployed and warns about (or, for production, refuses) uncommitted changes. */
export async function checkGit(input: GitCheckInput): Promise<GitCheck> {
  // Both read-only and independent; status is simply unused when the ref names no commit.
  const [source, status] = await Promise.all([
    input.source ?? resolveGitSource(input.executor, input.cwd, input.ref ?? 'HEAD'),
    input.executor.run(gitCommands.status(input.cwd)),
  ]);
  const commit = source.commit;
  if (!commit && input.ref) {
    return { result: { name: NAME, ok: false, detail: `--ref ${input.ref} is not a commit in this repository`, exitCode: ExitCode.precheckFailed }, commit: null, dirty: false };
  }
  if (!commit) {
    return { result: { name: NAME, ok: true, warning: true, detail: 'not a git repository (or no commits); commit not recorded' }, commit: null, dirty: false };
  }
  const changed = status.stdout.split('\n').filter((line) => line.trim()).length;
  const short = commit.slice(0, 7);
  // With --ref the release is built from that commit, so local edits cannot leak into it.
  if (input.ref) return { result: { name: NAME, ok: true, detail: `commit ${short} (--ref ${input.ref})` }, commit, dirty: changed > 0 };
  if (changed === 0) return { result: { name: NAME, ok: true, detail: `commit ${short}, clean` }, commit, dirty: false };
  const dirtyText = `commit ${short} with uncommitted changes (${changed} file${changed === 1 ? '' : 's'})`;
  if (input.production && !input.allowDirty) {
    return {
      result: { name: NAME, ok: false, detail: `${dirtyText}; commit them or pass --allow-dirty`, exitCode: ExitCode.precheckFailed },
      commit,
      dirty: true,
    };
  }
  return { result: { name: NAME, ok: true, warning: true, detail: dirtyText }, commit, dirty: true };
}
