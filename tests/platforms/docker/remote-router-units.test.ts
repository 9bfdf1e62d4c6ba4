/**
 * The builders behind a router container on a remote engine: DOCKER_HOST parsing, the router container's argv, and
 * the ssh tunnel's commands, read back by the real OpenSSH client (`ssh -G` prints the options it would use).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import * as cmd from '../../../src/platforms/docker/commands.js';
import { sshEngineHost } from '../../../src/platforms/docker/docker-host.js';
import { LABELS, routerContainerName } from '../../../src/platforms/docker/names.js';
import { routerStateDir } from '../../../src/platforms/docker/router-container.js';
import { checkCommand, exitCommand, forwardCommand, masterArgs } from '../../../src/remote/ssh-tunnel.js';
import { routerClientOver } from '../../../src/router/client.js';

const ssh = { controlDir: '/tmp/sg-ssh' };

describe('DOCKER_HOST=ssh:// selects a router container on the engine', () => {
  it('reads user, host and port; other schemes keep the router on this machine', () => {
    expect(sshEngineHost({ DOCKER_HOST: 'ssh://deploy@app1.example.com:2222' })).toEqual({ label: 'ssh://deploy@app1.example.com:2222', host: 'app1.example.com', user: 'deploy', port: 2222 });
    expect(sshEngineHost({ DOCKER_HOST: 'ssh://engine' })).toMatchObject({ host: 'engine', user: undefined, port: undefined });
    expect(sshEngineHost({ DOCKER_HOST: 'unix:///var/run/docker.sock' })).toBeNull();
    expect(sshEngineHost({ DOCKER_HOST: 'tcp://10.0.0.5:2376' })).toBeNull();
    expect(sshEngineHost({})).toBeNull();
  });

  it('refuses a host that ssh would read as an option, naming DOCKER_HOST', () => {
    expect(() => sshEngineHost({ DOCKER_HOST: 'ssh://-oProxyCommand=x' })).toThrow(/DOCKER_HOST/);
  });
});

describe('the router container', () => {
  it('runs with a restart policy on the host network, its state in a named volume, the engine socket mounted', () => {
    const name = routerContainerName('shop', 'staging');
    const stateDir = routerStateDir('shop', 'staging');
    const c = cmd.runRouterContainer({}, {
      name, image: 'shipgate-router:0.1.0-abc', app: 'shop', environment: 'staging', volume: name, stateDir,
      port: 4001, host: '0.0.0.0', runtimeEntry: '/shipgate/dist/src/platforms/docker/runtime-daemon.js', engineSocket: '/var/run/docker.sock',
    });
    expect(name).toBe('shipgate-router-shop-staging');
    expect(c.args).toEqual([
      'run', '--detach', '--name', name, '--restart', 'unless-stopped', '--network', 'host',
      '--label', `${LABELS.app}=shop`, '--label', `${LABELS.router}=staging`,
      '--volume', `${name}:${stateDir}`, '--volume', '/var/run/docker.sock:/var/run/docker.sock',
      'shipgate-router:0.1.0-abc',
      '--state-dir', stateDir, '--port', '4001', '--host', '0.0.0.0', '--runtime', '/shipgate/dist/src/platforms/docker/runtime-daemon.js',
    ]);
    // No shipgate.env label: the environment's release listing never includes its router.
    expect(c.args.join(' ')).not.toContain(LABELS.environment);
    // The keeper's host-wide lock is named after the state dir: two environments never share one.
    expect(routerStateDir('shop', 'production')).not.toBe(stateDir);
  });

  it('is controlled through docker exec of the relay, stdin open', () => {
    const c = cmd.execRelay({}, 'shipgate-router-shop-staging', '/shipgate/dist/src/router/control-relay.js', '/var/lib/shipgate/x/router.sock');
    expect(c.args).toEqual(['exec', '--interactive', 'shipgate-router-shop-staging', 'node', '/shipgate/dist/src/router/control-relay.js', '/var/lib/shipgate/x/router.sock']);
  });

  it('speaks the control protocol over any stream, matching answers by id', async () => {
    const toRouter = new PassThrough();
    const fromRouter = new PassThrough();
    // A call timeout longer than the test's: only the stream's end can fail the last call in time.
    const client = routerClientOver(Duplex.from({ readable: fromRouter, writable: toRouter }), 'test stream', { callTimeoutMs: 600_000 });
    toRouter.setEncoding('utf8').once('data', (line: string) => {
      const request = JSON.parse(line);
      fromRouter.write(`${JSON.stringify({ id: request.id, result: { method: request.method } })}\n`);
    });
    expect(await client.call('router.methods')).toEqual({ method: 'router.methods' });
    fromRouter.end();
    // The stream's end fails what waits, naming where it was connected.
    await expect(client.call('router.status')).rejects.toThrow(/test stream/);
  });
});

describe.skipIf(!existsSync('/usr/bin/ssh'))('the ssh tunnel, as OpenSSH reads it', () => {
  const target = { label: 'deploy@engine', host: 'engine.example', user: 'deploy', port: 2222 };
  const effective = (args: string[]) => {
    // `ssh -G` prints the configuration it would use and connects to nothing; -O is not for -G.
    const withoutOp = args.filter((arg, i) => arg !== '-O' && args[i - 1] !== '-O');
    const out = execFileSync('ssh', ['-G', '-F', '/dev/null', ...withoutOp], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return Object.fromEntries(out.split('\n').filter(Boolean).map((line) => [line.split(' ')[0], line.slice(line.indexOf(' ') + 1)]));
  };

  it('holds its own master: our ControlPath wins over the shared one, it persists for no one, host keys stay checked', () => {
    const args = masterArgs(target, ssh, '/tmp/sg-ssh/t-1');
    // Its session reads our stdin: when this process dies, the master ends with it.
    expect(args.slice(-3)).toEqual(['--', 'engine.example', 'cat']);
    const options = effective(args);
    expect(options).toMatchObject({ controlmaster: 'true', controlpath: '/tmp/sg-ssh/t-1', controlpersist: 'no', exitonforwardfailure: 'yes', stricthostkeychecking: 'true', batchmode: 'yes', user: 'deploy', port: '2222', hostname: 'engine.example' });
  });

  it('adds loopback-only forwards to that master, checks it and ends it', () => {
    const forward = forwardCommand(target, ssh, '/tmp/sg-ssh/t-1', 40001, 38123);
    expect(forward.args.slice(0, 8)).toEqual(['-o', 'ControlPath=/tmp/sg-ssh/t-1', '-o', 'ControlPersist=no', '-O', 'forward', '-L', '127.0.0.1:40001:127.0.0.1:38123']);
    expect(effective(forward.args).controlpath).toBe('/tmp/sg-ssh/t-1');
    expect(checkCommand(target, ssh, '/s').args).toContain('check');
    expect(exitCommand(target, ssh, '/s').args).toContain('exit');
  });
});

describe('a router container refuses what it cannot serve yet', () => {
  it('router.tls with DOCKER_HOST=ssh:// is exit 2 naming the field, before any connection is opened', async () => {
    const { placeRouter } = await import('../../../src/platforms/docker/router-placement.js');
    const previous = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = 'ssh://deploy@engine.invalid';
    const opened: string[] = [];
    const ctx = {
      config: { app: 'shop', environment: 'staging', port: 4001, listen: '127.0.0.1', router: { limits: {}, trustedProxies: [], trustUserHeader: false, tls: { port: 4443, certificates: [], redirect: true, hstsSeconds: 0 } } },
      executor: { run: async (c: { file: string }) => (opened.push(c.file), { exitCode: 0, stdout: '', stderr: '', all: '', durationMs: 0, timedOut: false, skipped: false }) },
      defer: () => undefined,
      emit: () => undefined,
    };
    try {
      await expect(placeRouter(ctx as never)).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/^router\.tls: .*DOCKER_HOST=ssh:\/\//) });
      expect(opened).toEqual([]);
    } finally {
      if (previous === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = previous;
    }
  });
});
