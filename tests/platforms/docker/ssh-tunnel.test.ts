/**
 * The CLI's own ssh connection to a remote engine's host (src/remote/ssh-tunnel.ts), against Debian's sshd on
 * 127.0.0.5: it reaches a port on the host's loopback, keeps host key checking on, and ends with the process that
 * opened it, even when that process is killed.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExecutor } from '../../../src/exec/executor.js';
import { openTunnel } from '../../../src/remote/ssh-tunnel.js';
import { sshHostsUnavailable, startTestHosts, type TestHosts } from '../../helpers/ssh-hosts.js';
import { ensureBuilt, ROOT } from '../../setup/build.js';

const unavailable = sshHostsUnavailable();

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function until(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

describe.skipIf(unavailable)('ssh tunnel to an engine host (real sshd)', { timeout: 120_000 }, () => {
  let hosts: TestHosts;
  let controlDir = '';
  const target = { label: 'engine', host: 'engine' };
  // Something that listens only on the host's loopback (here the same machine; the tunnel does not know that).
  const server = createServer((socket) => socket.end('hello from the host\n'));
  let remotePort = 0;

  beforeAll(async () => {
    await ensureBuilt();
    hosts = await startTestHosts([{ alias: 'engine', address: '127.0.0.5' }]);
    controlDir = await mkdtemp(join(tmpdir(), 'sg-t-'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    remotePort = (server.address() as { port: number }).port;
  }, 60_000);
  afterAll(async () => {
    server.close();
    await hosts?.stop();
    if (controlDir) await rm(controlDir, { recursive: true, force: true });
  });

  it('forwards a local port to the host loopback, one per remote port, and closes it', async () => {
    const tunnel = await openTunnel(target, { controlDir, configFile: hosts.sshConfig }, createExecutor());
    const local = await tunnel.reach(remotePort);
    expect(await tunnel.reach(remotePort)).toBe(local);
    const text = await new Promise<string>((resolve, reject) => {
      let data = '';
      connect(local, '127.0.0.1').setEncoding('utf8').on('data', (chunk) => (data += chunk)).on('end', () => resolve(data)).on('error', reject);
    });
    expect(text).toBe('hello from the host\n');
    await tunnel.close();
    expect(await accepts(local)).toBe(false);
  });

  it('refuses an unknown host key with exit 3 naming ssh-keyscan', async () => {
    const empty = join(controlDir, 'no_known_hosts_config');
    await writeFile(empty, `Host engine\n  UserKnownHostsFile /dev/null\n  GlobalKnownHostsFile /dev/null\nInclude ${hosts.sshConfig}\n`);
    await expect(openTunnel(target, { controlDir, configFile: empty }, createExecutor())).rejects.toMatchObject({ exitCode: 3, message: expect.stringContaining('ssh-keyscan') });
  });

  it('ends with the process that opened it, even one killed with SIGKILL', async () => {
    const script = [
      `import { openTunnel } from ${JSON.stringify(join(ROOT, 'dist/src/remote/ssh-tunnel.js'))};`,
      `import { createExecutor } from ${JSON.stringify(join(ROOT, 'dist/src/exec/executor.js'))};`,
      `const tunnel = await openTunnel(${JSON.stringify(target)}, ${JSON.stringify({ controlDir, configFile: hosts.sshConfig })}, createExecutor());`,
      `console.log(await tunnel.reach(${remotePort}));`,
      'setInterval(() => {}, 1000);',
    ].join('\n');
    const file = join(controlDir, 'hold.mjs');
    await writeFile(file, script);
    const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'inherit'] });
    const local = Number(await new Promise<string>((resolve) => child.stdout.setEncoding('utf8').once('data', (line: string) => resolve(line.trim()))));
    expect(await accepts(local)).toBe(true);
    child.kill('SIGKILL');
    // Its master's session read the dead process's stdin: it ends, and the forward with it.
    expect(await until(async () => !(await accepts(local)), 30_000)).toBe(true);
  });
});
