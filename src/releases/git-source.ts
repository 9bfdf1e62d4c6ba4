import type { Command } from '../exec/command.js';
import type { Executor } from '../exec/executor.js';
import type { DeployPlan } from '../orchestrator/plan.js';
import { preCheckOutputs } from '../checks/run-outputs.js';

/** Where a project's repository is and which commit a ref names there: one `git rev-parse` answers both. */
export interface GitSource {
  /** The repository's top folder and the project's folder inside it ('' at the top, else ending in '/'); null outside git. */
  repository: { topLevel: string; prefix: string } | null;
  /** The full commit the ref names; null when it names none (an unknown ref, or a repository with no commit yet). */
  commit: string | null;
}

/** `--show-*` print even when the ref does not resolve (exit 1); outside a repository git exits 128 and prints nothing. */
export function gitSourceCommand(projectRoot: string, ref: string): Command {
  return {
    file: 'git',
    args: ['rev-parse', '--show-toplevel', '--show-prefix', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`],
    cwd: projectRoot,
    mutates: false,
    timeoutMs: 10_000,
  };
}

export async function resolveGitSource(executor: Executor, projectRoot: string, ref: string): Promise<GitSource> {
  const result = await executor.run(gitSourceCommand(projectRoot, ref)).catch(() => null);
  const [topLevel, prefix, commit] = result?.stdout.split('\n').map((line) => line.trim()) ?? [];
  if (!result || (result.exitCode !== 0 && result.exitCode !== 1) || !topLevel || prefix === undefined) return { repository: null, commit: null };
  return { repository: { topLevel, prefix }, commit: result.exitCode === 0 && commit ? commit : null };
}

/**
 * The run's one resolution of `--ref` (else HEAD), asked by the shipped diff, the Git check and the release: all three
 * name the same commit, and the release builds exactly the commit the checks saw. Resolved when first asked (the Git
 * check, under the lock); on a server the run is given its commit and the release asks only after the shipped source
 * was checked out under the lock.
 */
export function runGitSource(plan: DeployPlan, executor: Executor): Promise<GitSource> {
  const outputs = preCheckOutputs(plan);
  return (outputs.gitSource ??= resolveGitSource(executor, plan.config.projectRoot, plan.options.ref ?? 'HEAD'));
}
