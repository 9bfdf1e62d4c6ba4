import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode, UserError } from '../errors.js';
import type { Executor } from '../exec/executor.js';
import { gitArchive } from '../platforms/local/commands.js';
import { resolveGitSource } from '../releases/git-source.js';
import { remoteScript, type SshOptions } from './ssh-command.js';
import { describeSshFailure } from './ssh-errors.js';
import type { SshTarget } from './ssh-target.js';

/** The commit a remote deploy ships, packed once as `git archive` output (the host needs no access to the repository). */
export interface SourceArchive {
  commit: string;
  file: string;
  dispose(): Promise<void>;
}

export async function packSource(projectRoot: string, ref: string, executor: Executor): Promise<SourceArchive> {
  const { repository, commit } = await resolveGitSource(executor, projectRoot, ref);
  if (!repository) throw new UserError(`hosts: deploying to a server ships a git commit, and ${projectRoot} is not a git repository`, ExitCode.usage);
  if (!commit) throw new UserError(`--ref ${ref}: not a commit in this repository`, ExitCode.usage);
  const { topLevel, prefix } = repository;
  const dir = await mkdtemp(join(tmpdir(), 'shipgate-source-'));
  const file = join(dir, `${commit}.tar`);
  // Not a change to any environment: packing is safe under --dry-run too.
  const packed = await executor.run({ ...gitArchive(topLevel, commit, prefix, file), mutates: false });
  if (packed.exitCode !== 0) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`git archive failed: ${packed.stderr.trim()}`);
  }
  return { commit, file, dispose: () => rm(dir, { recursive: true, force: true }) };
}

// Written beside its final name and renamed: a cut connection never leaves a partial archive that looks complete.
const UPLOAD = 'set -e; f="$1"; mkdir -p "$(dirname "$f")"; if [ -f "$f" ]; then cat >/dev/null; exit 0; fi; t="$f.partial.$$"; cat >"$t"; mv "$t" "$f"';

/** Puts the archive at `path` on the host, once per commit. */
export async function uploadSource(target: SshTarget, ssh: SshOptions, executor: Executor, source: SourceArchive, path: string): Promise<void> {
  const result = await executor.run(remoteScript(target, ssh, UPLOAD, [path], { inputFile: source.file, timeoutMs: 300_000 }));
  const failure = describeSshFailure(target, result.exitCode, result.stderr);
  if (failure) throw new UserError(failure, ExitCode.precheckFailed);
  if (result.exitCode !== 0) throw new UserError(`${target.label}: uploading the release failed: ${result.stderr.trim().split('\n')[0] ?? ''}`, ExitCode.precheckFailed);
}
