import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { preCheckOutputs } from '../../checks/run-outputs.js';
import type { DeployContext, DeployOutcome } from '../../orchestrator/types.js';

/** The commit and version of what is being deployed (from the Git pre-check when it ran). */
export async function releaseFacts(ctx: DeployContext): Promise<{ commit: string | null; version: string }> {
  const git = preCheckOutputs(ctx.plan).git;
  const commit = git ? ((await git.catch(() => null))?.commit ?? null) : null;
  let version = commit ? commit.slice(0, 7) : 'unversioned';
  try {
    const pkg = JSON.parse(await readFile(join(ctx.config.projectRoot, 'package.json'), 'utf8')) as { version?: string };
    if (pkg.version) version = pkg.version;
  } catch {
    // no package.json: the short commit names the version
  }
  return { commit, version };
}

export function releaseOf(id: string, facts: { commit: string | null; version: string }): DeployOutcome['release'] {
  return { id, version: facts.version, commit: facts.commit, contentHash: null };
}
