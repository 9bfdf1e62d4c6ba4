/**
 * Real test hosts for the SSH platform: Debian's sshd on its own loopback address (127.0.0.2, 127.0.0.3, ...),
 * each with its own Unix user, home folder and key-only login. The client side is a throwaway ssh_config with one
 * `Host` alias per host and a known_hosts file holding their keys, so host key checking stays on, as for a user.
 * Needs root (useradd, sshd) and openssh-server; `sshHostsUnavailable()` says why not.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { dockerRequired } from './docker.js';
import { recordSkipReason } from './skip-reasons.js';
import { freePort } from './free-port.js';

const run = promisify(execFile);
const SSHD = '/usr/sbin/sshd';

export interface TestHost {
  /** The alias in the generated ssh_config, e.g. "h2"; `deploy` configs name hosts by it. */
  alias: string;
  address: string;
  port: number;
  user: string;
  home: string;
  /** Runs a shell line on the host as its user, through the real ssh client. */
  exec(line: string): Promise<{ stdout: string; stderr: string }>;
  /** Stops this host's sshd; asserts it went away. */
  stop(): Promise<void>;
}

export interface TestHosts {
  /** Folder with ssh_config, known_hosts and the client key. */
  dir: string;
  sshConfig: string;
  knownHosts: string;
  hosts: TestHost[];
  /** Environment that makes shipgate's ssh use this client config (SHIPGATE_SSH_CONFIG). */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Why this machine cannot run the SSH host tests, or null. Call it from a test file's top level: the reason is named
 * at the end of the run, and where Docker and sshd tests are required (.ci/run) it fails instead of skipping.
 */
export function sshHostsUnavailable(): string | null {
  const reason = !existsSync(SSHD) ? `${SSHD} is missing (apt-get install openssh-server)` : process.getuid?.() !== 0 ? 'the SSH host tests need root (useradd, sshd)' : null;
  if (!reason) return null;
  if (dockerRequired()) throw new Error(`SSH host tests must run here (SHIPGATE_REQUIRE_DOCKER=1 or CI=true), but ${reason}`);
  recordSkipReason(reason);
  return reason;
}

/** Starts one sshd per address, each with a user of its own (shipgate-<alias>-<random>), removed by `stop()`. */
/** `groups`: supplementary groups of the host's user, e.g. ["docker"] to reach the engine's socket over ssh. */
export async function startTestHosts(specs: Array<{ alias: string; address: string; groups?: string[] }>): Promise<TestHosts> {
  const dir = await mkdtemp(join(tmpdir(), 'shipgate-hosts-'));
  await chmod(dir, 0o755);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'client_key')]);
  const clientKey = await readFile(join(dir, 'client_key.pub'), 'utf8');
  await mkdir('/run/sshd', { recursive: true });
  const knownHosts: string[] = [];
  const configLines: string[] = [];
  const hosts: TestHost[] = [];
  const sshConfig = join(dir, 'ssh_config');
  const knownHostsFile = join(dir, 'known_hosts');

  for (const spec of specs) {
    const hostDir = join(dir, spec.alias);
    const home = join(hostDir, 'home');
    await mkdir(home, { recursive: true });
    await chmod(hostDir, 0o755);
    const user = `sg-${spec.alias}-${randomBytes(3).toString('hex')}`;
    await createUser(user, home);
    if (spec.groups?.length) await run('usermod', ['-aG', spec.groups.join(','), user]);
    const { uid, gid } = await ids(user);
    await mkdir(join(home, '.ssh'), { recursive: true });
    await writeFile(join(home, '.ssh', 'authorized_keys'), clientKey, { mode: 0o600 });
    await run('chown', ['-R', `${uid}:${gid}`, home]);
    await chmod(home, 0o755);
    await chown(home, uid, gid);

    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(hostDir, 'host_key')]);
    const port = await freePort();
    await writeFile(
      join(hostDir, 'sshd_config'),
      [
        `Port ${port}`, `ListenAddress ${spec.address}`, `HostKey ${hostDir}/host_key`,
        'AuthorizedKeysFile .ssh/authorized_keys', 'PasswordAuthentication no', 'KbdInteractiveAuthentication no',
        'PermitRootLogin no', `AllowUsers ${user}`, 'StrictModes no', `PidFile ${hostDir}/sshd.pid`, 'UsePAM no',
        'MaxSessions 50', 'MaxStartups 50', '',
      ].join('\n'),
    );
    await run(SSHD, ['-f', join(hostDir, 'sshd_config'), '-E', join(hostDir, 'sshd.log')]);
    const hostKey = (await readFile(join(hostDir, 'host_key.pub'), 'utf8')).trim().split(' ').slice(0, 2).join(' ');
    knownHosts.push(`[${spec.address}]:${port} ${hostKey}`);
    configLines.push(`Host ${spec.alias}`, `  HostName ${spec.address}`, `  Port ${port}`, `  User ${user}`, '');

    const pidFile = join(hostDir, 'sshd.pid');
    hosts.push({
      alias: spec.alias,
      address: spec.address,
      port,
      user,
      home,
      exec: (line) => run('ssh', ['-F', sshConfig, spec.alias, line], { timeout: 30_000 }),
      stop: async () => {
        const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
        if (!(pid > 0)) throw new Error(`sshd of ${spec.alias} has no pid file`);
        process.kill(pid, 'SIGTERM');
        // Its session processes belong to the user; end them too so nothing of this host outlives the test.
        await run('pkill', ['-KILL', '-u', user]).catch(() => undefined);
        await run('userdel', [user]);
      },
    });
  }
  configLines.push(
    'Host *',
    `  IdentityFile ${dir}/client_key`,
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${knownHostsFile}`,
    '  StrictHostKeyChecking yes',
    '  BatchMode yes',
    '  LogLevel ERROR',
    '',
  );
  await writeFile(knownHostsFile, `${knownHosts.join('\n')}\n`);
  await writeFile(sshConfig, configLines.join('\n'));

  return {
    dir,
    sshConfig,
    knownHosts: knownHostsFile,
    hosts,
    env: { SHIPGATE_SSH_CONFIG: sshConfig },
    async stop() {
      for (const host of hosts) await host.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function createUser(user: string, home: string): Promise<void> {
  await run('useradd', ['-M', '-d', home, '-s', '/bin/sh', user]);
  // useradd locks the account ("!"), and sshd without PAM refuses locked accounts even for a key: no password, not locked.
  await run('usermod', ['-p', '*', user]);
}

async function ids(user: string): Promise<{ uid: number; gid: number }> {
  const [{ stdout: uid }, { stdout: gid }] = await Promise.all([run('id', ['-u', user]), run('id', ['-g', user])]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}
