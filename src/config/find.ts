import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UserError } from '../errors.js';

export const CONFIG_NAMES = ['deploy.config.yaml', 'deploy.config.yml', 'deploy.config.json'] as const;

/** Looks for deploy.config.{yaml,yml,json} in cwd and its parents; an explicit --config path wins. */
export function findConfigFile(cwd: string, explicit?: string): string {
  if (explicit) {
    const path = resolve(cwd, explicit);
    // What kind of file it is (a link, a FIFO, a device) is the reader's question: it opens without following or blocking.
    if (!existsSync(path)) throw new UserError(`config file not found: ${explicit}`);
    return path;
  }
  let dir = resolve(cwd);
  for (;;) {
    for (const name of CONFIG_NAMES) {
      const candidate = join(dir, name);
      if (existsSync(candidate)) return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new UserError('no deploy.config.yaml found in this folder or its parents; run `deploy init` to create one');
}
