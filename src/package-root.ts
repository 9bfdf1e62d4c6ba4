import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * shipgate's own files, located from the package root rather than from the calling module: the same code runs as
 * sources (tests), as compiled modules in dist/src/, and bundled into dist/bin/ (scripts/bundle.mjs), where a path
 * relative to the module would point into the bundle's folder.
 */
export const BUILT = {
  /** The `deploy` bin: the CLI bundled with what a deploy loads (scripts/bundle.mjs). */
  cli: 'dist/bin/deploy.js',
  /** The orchestrator child, bundled the same way. */
  orchestrator: 'dist/bin/orchestrator.js',
  /** Spawned over SSH on a server: `node <install>/dist/src/remote/agent.js run|attach <runDir>`. */
  hostAgent: 'dist/src/remote/agent.js',
  routerDaemon: 'dist/src/router/daemon.js',
  routerKeeper: 'dist/src/router/keeper-daemon.js',
  localRuntime: 'dist/src/platforms/local/runtime-daemon.js',
  dockerRuntime: 'dist/src/platforms/docker/runtime-daemon.js',
} as const;

let own: string | undefined;

/** The installed shipgate package this code runs from (its package.json names it). */
export function packageRoot(from?: string): string {
  if (from === undefined && own !== undefined) return own;
  const start = from ?? dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'shipgate') {
      if (from === undefined) own = dir;
      return dir;
    }
    if (dirname(dir) === dir) throw new Error(`shipgate package root not found above ${start}`);
  }
}

/** A file of this shipgate build, e.g. `builtFile('orchestrator')`. */
export function builtFile(name: keyof typeof BUILT, root: string = packageRoot()): string {
  return join(root, BUILT[name]);
}
