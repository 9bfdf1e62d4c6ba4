import { rename, rm, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { BUILT, packageRoot } from '../package-root.js';

/**
 * `~/.shipgate/apps/<app>/shipgate` on a host: a link to the shipgate build that last deployed the app there. The
 * boot unit (`deploy service install <env>`) runs the CLI through it, so it follows upgrades of shipgate.
 */
export function appCliLink(projectRoot: string): string {
  return join(dirname(projectRoot), 'shipgate');
}

export function appCliMain(projectRoot: string): string {
  return join(appCliLink(projectRoot), BUILT.cli);
}

/** Points the link at this process's own build, atomically (a new link renamed over the old one). */
export async function linkAppCli(projectRoot: string, build = packageRoot()): Promise<void> {
  const link = appCliLink(projectRoot);
  const next = `${link}.${process.pid}`;
  await rm(next, { force: true });
  await symlink(build, next);
  await rename(next, link);
}
