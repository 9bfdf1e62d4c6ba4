import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode, UserError } from '../../../src/errors.js';
import { createExecutor } from '../../../src/exec/executor.js';
import { ensureShipgate } from '../../../src/remote/host-install.js';
import { remoteCommand } from '../../../src/remote/ssh-command.js';
import { sshOptions } from '../../../src/remote/ssh-options.js';
import { parseSshTarget } from '../../../src/remote/ssh-target.js';
import { sshHostsUnavailable, startTestHosts, type TestHosts } from '../../helpers/ssh-hosts.js';

const unavailable = sshHostsUnavailable();

describe.skipIf(unavailable)('shipgate on a bare host (real sshd)', () => {
  let hosts: TestHosts;
  beforeAll(async () => {
    hosts = await startTestHosts([{ alias: 'h2', address: '127.0.0.2' }]);
  });
  afterAll(async () => hosts?.stop());

  it('installs the exact build once, and the host runs it', async () => {
    const ssh = sshOptions({ SHIPGATE_SSH_CONFIG: hosts.sshConfig });
    const target = parseSshTarget('h2', 'environments.staging.hosts[0]');
    const executor = createExecutor();
    const first = await ensureShipgate(target, ssh, executor);
    expect(first.installed).toBe(true);
    expect(first.installDir.startsWith(`${hosts.hosts[0].home}/.shipgate/versions/`)).toBe(true);
    const second = await ensureShipgate(target, ssh, executor);
    expect(second).toEqual({ ...first, installed: false });

    const version = await executor.run(remoteCommand(target, ssh, ['node', `${first.installDir}/dist/src/cli/main.js`, '--version']));
    expect(version.exitCode).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    // The runtime dependencies came along; the kubernetes client did not.
    const modules = await executor.run(remoteCommand(target, ssh, ['ls', `${first.installDir}/node_modules`]));
    expect(modules.stdout.split('\n')).toEqual(expect.arrayContaining(['pg', 'hdr-histogram-js', 'commander']));
    expect(modules.stdout).not.toContain('@kubernetes');
  });

  it('refuses an unknown host key with the ssh-keyscan fix, exit 3', async () => {
    // A control folder of its own: the shared connection of the test above would skip host key checking.
    const ssh = { controlDir: await mkdtemp(join(tmpdir(), 'sg-cm-')), configFile: undefined };
    const h = hosts.hosts[0];
    // No -F: the user's real known_hosts has never seen this test host.
    const target = { ...parseSshTarget(`${h.user}@${h.address}:${h.port}`, 'environments.staging.hosts[0]'), identityFile: `${hosts.dir}/client_key` };
    const error = await ensureShipgate(target, ssh, createExecutor()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(ExitCode.precheckFailed);
    expect((error as Error).message).toContain(`ssh-keyscan -p ${h.port} ${h.address}`);
  });

  it('says a host that does not answer does not answer, exit 3', async () => {
    const ssh = sshOptions({ SHIPGATE_SSH_CONFIG: hosts.sshConfig });
    // 127.0.0.9 has no sshd: the connection is refused at once.
    const target = parseSshTarget('127.0.0.9:1', 'environments.staging.hosts[0]');
    const error = await ensureShipgate(target, ssh, createExecutor()).catch((e: unknown) => e);
    expect((error as UserError).exitCode).toBe(ExitCode.precheckFailed);
    expect((error as Error).message).toMatch(/127\.0\.0\.9:1: the host does not answer over ssh/);
  });
});
