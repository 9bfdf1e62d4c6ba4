/**
 * A throwaway sshd on 127.0.0.1 that lets tests reach this machine's Docker Engine as
 * DOCKER_HOST=ssh://root@127.0.0.1:<port>, the way a remote engine is reached. The docker CLI runs
 * `ssh`, so tests put a wrapper first in PATH that adds our own client config (key, no host-key prompt,
 * one shared connection). Needs root and Debian's openssh-server.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../helpers/free-port.js';

const run = promisify(execFile);
export const SSHD = '/usr/sbin/sshd';

export interface SshEngine {
  /** Environment for the docker CLI: PATH with the ssh wrapper first, DOCKER_HOST=ssh://... */
  env: Record<string, string>;
  dockerHost: string;
  /** Sessions sshd accepted so far (the docker CLI's `docker system dial-stdio` runs in them). */
  sessions(): Promise<number>;
  stop(): Promise<void>;
}

export function sshEngineUnavailable(): string | null {
  if (!existsSync(SSHD)) return `${SSHD} is missing (apt-get install openssh-server)`;
  if (process.getuid?.() !== 0) return 'sshd needs root here';
  return null;
}

export async function startSshEngine(): Promise<SshEngine> {
  const dir = await mkdtemp(join(tmpdir(), 'shipgate-sshd-'));
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'client_key')]);
  await writeFile(join(dir, 'authorized_keys'), await readFile(join(dir, 'client_key.pub')), { mode: 0o600 });
  const port = await freePort();
  await writeFile(
    join(dir, 'sshd_config'),
    [`Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${dir}/host_key`, `AuthorizedKeysFile ${dir}/authorized_keys`,
      'PasswordAuthentication no', 'PermitRootLogin prohibit-password', 'StrictModes no', `PidFile ${dir}/sshd.pid`, 'UsePAM no', ''].join('\n'),
  );
  await writeFile(
    join(dir, 'ssh_config'),
    ['Host *', '  StrictHostKeyChecking no', '  UserKnownHostsFile /dev/null', `  IdentityFile ${dir}/client_key`, '  LogLevel ERROR',
      '  ControlMaster auto', `  ControlPath ${dir}/cm-%r@%h:%p`, '  ControlPersist 30s', ''].join('\n'),
  );
  await mkdir(join(dir, 'bin'));
  await writeFile(join(dir, 'bin', 'ssh'), `#!/bin/sh\nexec /usr/bin/ssh -F ${dir}/ssh_config "$@"\n`);
  await chmod(join(dir, 'bin', 'ssh'), 0o755);
  await mkdir('/run/sshd', { recursive: true });
  await run(SSHD, ['-f', join(dir, 'sshd_config'), '-E', join(dir, 'sshd.log')]);
  const dockerHost = `ssh://root@127.0.0.1:${port}`;
  const env = { ...(process.env as Record<string, string>), PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}`, DOCKER_HOST: dockerHost };
  return {
    env,
    dockerHost,
    async sessions() {
      const log = await readFile(join(dir, 'sshd.log'), 'utf8').catch(() => '');
      return log.split('\n').filter((line) => line.includes('Accepted publickey')).length;
    },
    async stop() {
      await run('/usr/bin/ssh', ['-F', join(dir, 'ssh_config'), '-O', 'exit', '-p', String(port), 'root@127.0.0.1']).catch(() => undefined);
      const pid = Number((await readFile(join(dir, 'sshd.pid'), 'utf8').catch(() => '')).trim());
      if (pid > 0) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
