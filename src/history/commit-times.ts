import type { Command } from '../exec/command.js';
import type { Executor } from '../exec/executor.js';

/** `git log --no-walk` over the deployed commits: their commit times, skipping any the repository no longer has. */
export function commitTimesCommand(commits: string[], cwd: string): Command {
  return { file: 'git', args: ['log', '--no-walk=unsorted', '--ignore-missing', '--format=%H %ct', ...commits], cwd, mutates: false, timeoutMs: 10_000 };
}

export function parseCommitTimes(stdout: string): Map<string, number> {
  const times = new Map<string, number>();
  for (const line of stdout.split('\n')) {
    const [sha, seconds] = line.trim().split(' ');
    if (sha && /^\d+$/.test(seconds ?? '')) times.set(sha, Number(seconds) * 1000);
  }
  return times;
}

/** Commit time by full or abbreviated sha; null when git is missing, this is not a repository, or the commit is gone. */
export async function commitTimes(executor: Executor, commits: string[], cwd: string): Promise<(commit: string) => number | null> {
  const unique = [...new Set(commits.filter((c) => /^[0-9a-f]{4,40}$/i.test(c)))];
  if (unique.length === 0) return () => null;
  const result = await executor.run(commitTimesCommand(unique, cwd)).catch(() => null);
  const times = result && result.exitCode === 0 ? parseCommitTimes(result.stdout) : new Map<string, number>();
  return (commit) => {
    for (const [sha, ms] of times) if (sha.startsWith(commit.toLowerCase())) return ms;
    return null;
  };
}
