import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Executor } from '../exec/executor.js';
import { tarExtract } from '../platforms/local/commands.js';
import { linkAppCli } from './app-cli-link.js';

/** What a run on a host was shipped: the `git archive` of the commit, already on the host (src/remote/ship-source.ts). */
export interface ShippedSource {
  archive: string;
  commit: string;
}

/** Kept across deploys: shipgate's own state, and the dependencies installed for the previous commit. */
const KEPT = new Set(['.deploy', 'node_modules']);

/**
 * Makes the app's folder on the host hold exactly the shipped commit, as a checkout would, so that everything that
 * reads the project (migrations, env files, the release copy) sees the commit being deployed. Runs under the
 * environment's deploy lock: two CLIs deploying to one host never interleave here. The app's shipgate link then names
 * this build (src/remote/app-cli-link.ts).
 */
export async function checkOutShippedSource(projectRoot: string, source: ShippedSource, executor: Executor): Promise<void> {
  for (const name of await readdir(projectRoot)) if (!KEPT.has(name)) await rm(join(projectRoot, name), { recursive: true, force: true });
  const result = await executor.run(tarExtract(source.archive, projectRoot));
  if (result.exitCode !== 0) throw new Error(`unpacking the shipped commit failed: ${result.stderr.trim()}`);
  await linkAppCli(projectRoot);
}
