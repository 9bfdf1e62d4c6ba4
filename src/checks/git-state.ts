import type { Command } from '../exec/command.js';
import type { Executor } from '../exec/executor.js';
import type { PreCheckResult } from '../contracts/summary.js';
import { ExitCode } from '../errors.js';

export const gitCommands = {
  head: (cwd: string, ref = 'HEAD'): Command => ({ file: 'git', args: ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], cwd, mutates: false, timeoutMs: 10_000 }),
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
  // Both read-only and independent; status is simply unused when HEAD cannot be resolved.
  const [head, status] = await Promise.all([input.executor.run(gitCommands.head(input.cwd, input.ref ?? 'HEAD')), input.executor.run(gitCommands.status(input.cwd))]);
  if (head.exitCode !== 0 && input.ref) {
    return { result: { name: NAME, ok: false, detail: `--ref ${input.ref} is not a commit in this repository`, exitCode: ExitCode.precheckFailed }, commit: null, dirty: false };
  }
  if (head.exitCode !== 0) {
    return { result: { name: NAME, ok: true, warning: true, detail: 'not a git repository (or no commits); commit not recorded' }, commit: null, dirty: false };
  }
  const commit = head.stdout.trim();
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
