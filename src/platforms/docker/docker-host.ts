import { ExitCode, UserError } from '../../errors.js';
import { parseSshTarget, type SshTarget } from '../../remote/ssh-target.js';

/**
 * The engine's host when DOCKER_HOST is `ssh://[user@]host[:port]`: there the router runs as a container next to
 * the releases, and this machine reaches that host's loopback through ssh. Null for the local socket and other
 * schemes (the router then runs on this machine).
 */
export function sshEngineHost(env: NodeJS.ProcessEnv = process.env): SshTarget | null {
  const value = env.DOCKER_HOST?.trim();
  if (!value || !value.startsWith('ssh://')) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UserError(`DOCKER_HOST: "${value}" is not an ssh://[user@]host[:port] address`, ExitCode.usage);
  }
  const user = decodeURIComponent(url.username);
  const spec = `${user ? `${user}@` : ''}${url.hostname}${url.port ? `:${url.port}` : ''}`;
  return { ...parseSshTarget(spec, 'DOCKER_HOST'), label: value };
}
