import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../errors.js';

/**
 * Variables that would change how the docker CLI itself behaves if we put the
 * app's value in the CLI's environment. Those go through a 0600 --env-file.
 */
const CLI_SENSITIVE = /^(PATH|HOME|USER|LOGNAME|SHELL|PWD|TMPDIR|TMP|TEMP|LANG|LANGUAGE|LC_\w+|LD_\w+|DOCKER_\w+|SSH_\w+|XDG_\w+|HTTPS?_PROXY|NO_PROXY|ALL_PROXY)$/i;

export function travelsInEnvFile(name: string): boolean {
  return CLI_SENSITIVE.test(name);
}

export interface EnvFile {
  path: string;
  remove(): Promise<void>;
}

/** Writes NAME=value lines to a fresh 0700 directory as a 0600 file; remove() deletes both. */
export async function writeEnvFile(values: Record<string, string>): Promise<EnvFile> {
  for (const [name, value] of Object.entries(values)) {
    if (/[\r\n]/.test(value)) throw new UserError(`env.${name}: a value with a line break cannot be passed to a container as ${name}; rename the variable`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'shipgate-env-'));
  const path = join(dir, 'container.env');
  const body = Object.entries(values).map(([name, value]) => `${name}=${value}\n`).join('');
  await writeFile(path, body, { mode: 0o600 });
  return { path, remove: () => rm(dir, { recursive: true, force: true }) };
}
