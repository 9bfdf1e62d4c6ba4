import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * Release directories live outside the project tree, so the project's test runners, linters and type checkers never
 * see their copies of the code: `$XDG_STATE_HOME/shipgate/<project>-<hash>/<env>/releases` (default
 * `~/.local/state/...`). `.deploy/<env>/` keeps the state, lock, history and persisted data.
 */
export function shipgateStateHome(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_STATE_HOME?.trim();
  return join(xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.local', 'state'), 'shipgate');
}

/** `<project folder name>-<12 hex of the project root's path>`: readable, and two checkouts never share releases. */
export function projectKey(projectRoot: string): string {
  const root = resolve(projectRoot);
  const name = basename(root).replace(/[^a-zA-Z0-9._-]/g, '-').slice(0, 40) || 'project';
  return `${name}-${createHash('sha256').update(root).digest('hex').slice(0, 12)}`;
}

/** The releases of the environment whose state directory is `<projectRoot>/.deploy/<env>`. */
export function externalReleasesDir(stateDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const projectRoot = dirname(dirname(resolve(stateDir)));
  return join(shipgateStateHome(env), projectKey(projectRoot), basename(stateDir), 'releases');
}

/** Where releases were kept before they moved out of the project: still read, so a rollback to one works. */
export function legacyReleasesDir(stateDir: string): string {
  return join(stateDir, 'releases');
}
