/**
 * DOCKER_HOST=ssh:// with the router as a container on the engine's host (Kamal-style): the built CLI deploys,
 * switches under load, rolls back and stops through a real sshd on 127.0.0.4 whose user reaches this machine's
 * engine (docker group). The router container's restart policy brings it back after its process is killed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExecutor } from '../../../src/exec/executor.js';
import { listContainers, findContainer } from '../../../src/platforms/docker/containers.js';
import { routerContainerName } from '../../../src/platforms/docker/names.js';
import { freePort } from '../../helpers/free-port.js';
import { makeProject, runCli } from '../../cli/helpers.js';
import { cleanupApp, dockerEngine, fixtureProject, testAppName, type Knobs } from '../../helpers/docker.js';
import { startLoad } from '../../helpers/load.js';
import { recordSkipReason } from '../../helpers/skip-reasons.js';
import { sshHostsUnavailable, startTestHosts, type TestHosts } from '../../helpers/ssh-hosts.js';
import { ensureBuilt } from '../../setup/build.js';

const engine = await dockerEngine();
const noHosts = engine.ok ? sshHostsUnavailable() : 'no Docker Engine';
if (engine.ok && engine.network !== 'bridge') recordSkipReason('the Docker Engine has no bridge network (remote router test)');
const app = testAppName('sgr');
const router = routerContainerName(app, 'staging');
// The test's own docker calls go to the local socket; the CLI's go through sshd.
const local = { executor: createExecutor(), cli: { env: Object.fromEntries(Object.entries(process.env).filter(([k, v]) => k !== 'DOCKER_HOST' && v !== undefined)) as Record<string, string> } };

function commit(dir: string, message: string): void {
  execFileSync('git', ['add', '-A'], { cwd: dir });
  execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', message], { cwd: dir });
}

// Several real deploys through ssh on a loaded 2-core machine: generous bounds.
describe.skipIf(!engine.ok || noHosts !== null || engine.network !== 'bridge')('docker platform with DOCKER_HOST=ssh://: the router runs as a container on the engine', { timeout: 300_000 }, () => {
  let hosts: TestHosts;
  let project = '';
  let port = 0;
  let env: Record<string, string> = {};
  const releases: string[] = [];

  const served = async () => (await fetch(`http://127.0.0.1:${port}/`)).headers.get('x-release');
  const change = async (knobs: Knobs, message: string) => {
    await fixtureProject(knobs, project);
    commit(project, message);
  };

  beforeAll(async () => {
    await ensureBuilt();
    hosts = await startTestHosts([{ alias: 'engine', address: '127.0.0.4', groups: ['docker'] }]);
    // docker's own ssh reads the user's ssh config; this wrapper stands in for ~/.ssh/config, with the connection
    // reuse docs/docker-platform.md recommends (each docker call is an ssh session).
    const bin = join(hosts.dir, 'bin');
    await mkdir(bin);
    const config = join(hosts.dir, 'user_ssh_config');
    const reuse = ['Host *', '  ControlMaster auto', `  ControlPath ${hosts.dir}/cm-%C`, '  ControlPersist 60', ''].join('\n');
    await writeFile(config, reuse + (await readFile(hosts.sshConfig, 'utf8')));
    await writeFile(join(bin, 'ssh'), `#!/bin/sh\nexec /usr/bin/ssh -F ${config} "$@"\n`);
    await chmod(join(bin, 'ssh'), 0o755);
    env = { PATH: `${bin}:${process.env.PATH}`, DOCKER_HOST: 'ssh://engine' };
    port = await freePort();
    project = makeProject(
      [
        `app: ${app}`,
        'platform: docker',
        'tests: false',
        'migrations: none',
        'health: { path: /health, interval: 100ms, timeout: 20s }',
        'verify: { smoke: ["GET /"], errorRate: 1%, p95: 2s, window: 3s, minRequests: 40 }',
        'keepWarm: 2s',
        'drainTimeout: 2s',
        `environments: { staging: { port: ${port} } }`,
        '',
      ].join('\n'),
    );
    await change({}, 'app');
  }, 180_000);

  afterAll(async () => {
    if (project && hosts) {
      const stop = await runCli(['stop', 'staging', '--yes'], { cwd: project, env });
      expect(stop.code, stop.stderr + stop.stdout).toBe(0);
      expect(await findContainer(local, router)).toBeNull();
    }
    await cleanupApp(app);
    await local.executor.run({ file: 'docker', args: ['volume', 'rm', router], env: local.cli.env, mutates: true });
    await hosts?.stop();
  }, 120_000);

  it('deploys: the router runs as a container with a restart policy on the engine host, none on this machine', async () => {
    const result = await runCli(['staging', '--json'], { cwd: project, env });
    expect(result.code, result.stderr + result.stdout).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.status).toBe('success');
    releases.push(summary.release.id);
    expect(await served()).toBe(summary.release.id);

    const inspected = JSON.parse((await local.executor.run({ file: 'docker', args: ['container', 'inspect', router], env: local.cli.env, mutates: false })).stdout)[0];
    expect(inspected.State.Running).toBe(true);
    expect(inspected.HostConfig.RestartPolicy.Name).toBe('unless-stopped');
    expect(inspected.HostConfig.NetworkMode).toBe('host');
    // No router daemon on the CLI's side: its control socket would be in the state dir.
    expect(existsSync(join(project, '.deploy/staging/router.sock'))).toBe(false);
    // The run reached the engine through sshd, as the host's user.
    const sshd = await hosts.hosts[0].exec('id -Gn');
    expect(sshd.stdout).toContain('docker');
  });

  it('switches under load with 0 failed requests, and the router container retires blue after keepWarm', async () => {
    const blue = releases[0]!;
    const load = startLoad(`http://127.0.0.1:${port}/`, { concurrency: 4, maxDurationMs: 120_000 });
    await load.waitFor(30);
    await change({ latencyMs: 1 }, 'two');
    const result = await runCli(['staging', '--json'], { cwd: project, env });
    await load.waitFor(load.snapshot().total + 30);
    const tally = await load.stop();
    expect(result.code, result.stderr + result.stdout).toBe(0);
    const green = JSON.parse(result.stdout).release.id;
    releases.push(green);
    expect(await served()).toBe(green);
    expect(tally.failed, JSON.stringify(tally.failures.slice(0, 3))).toBe(0);
    expect(tally.byRelease[blue]).toBeGreaterThan(0);
    expect(tally.byRelease[green]).toBeGreaterThan(0);

    // The runtime in the router container drains, stops and removes blue through the mounted engine socket.
    const deadline = Date.now() + 60_000;
    let running = (await listContainers(local, app, 'staging')).map((c) => c.release);
    while (running.includes(blue) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      running = (await listContainers(local, app, 'staging')).map((c) => c.release);
    }
    expect(running).toEqual([green]);
  });

  it('rolls a bad release back to the warm blue; deploy rollback goes back one more, both through the engine', async () => {
    const active = releases[1]!;
    await change({ errorRate: 0.3 }, 'bad');
    const bad = await runCli(['staging', '--json'], { cwd: project, env });
    expect(bad.code, bad.stderr + bad.stdout).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ status: 'rolled_back', rollback: { performed: true, verified: true } });
    expect(await served()).toBe(active);

    const load = startLoad(`http://127.0.0.1:${port}/`, { concurrency: 2, maxDurationMs: 120_000 });
    await load.waitFor(20);
    const back = await runCli(['rollback', 'staging', '--to', releases[0]!, '--json', '--yes'], { cwd: project, env });
    const tally = await load.stop();
    expect(back.code, back.stderr + back.stdout).toBe(0);
    expect(await served()).toBe(releases[0]);
    expect(tally.failed, JSON.stringify(tally.failures.slice(0, 3))).toBe(0);
  });

  it('the engine restarts the router container when its process dies, and it serves the same release again', async () => {
    const active = await served();
    const before = await findContainer(local, router);
    expect(before?.running).toBe(true);
    // A crash as Docker sees one (`docker kill` counts as a manual stop, which a restart policy never undoes).
    const pid = (await local.executor.run({ file: 'docker', args: ['container', 'inspect', '--format', '{{.State.Pid}}', router], env: local.cli.env, mutates: false })).stdout.trim();
    process.kill(Number(pid), 'SIGKILL');
    const deadline = Date.now() + 60_000;
    let after = await findContainer(local, router);
    while (!(after?.running && after.restartCount > before!.restartCount) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await findContainer(local, router);
    }
    expect(after?.restartCount).toBe(before!.restartCount + 1);
    let answered: string | null = null;
    while (answered === null && Date.now() < deadline) answered = await served().catch(() => null);
    // The routing table was restored from the router's volume.
    expect(answered).toBe(active);
    const status = await runCli(['status', 'staging', '--json'], { cwd: project, env });
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).platform.join('\n')).not.toContain('the router is not running');
  });
});
