import { describe, expect, it } from 'vitest';
import * as cmd from '../../../src/platforms/docker/commands.js';
import { containerName, imageRef, LABELS } from '../../../src/platforms/docker/names.js';
import { selectImagesToPrune, parseInspect, parseContainerRows } from '../../../src/platforms/docker/parse.js';
import { travelsInEnvFile } from '../../../src/platforms/docker/env-file.js';
import { dockerSettings, releaseVariables } from '../../../src/platforms/docker/settings.js';
import type { ResolvedEnvironment } from '../../../src/config/types.js';

const cli = { env: { PATH: '/usr/bin', DOCKER_HOST: 'ssh://deploy@example' } };

describe('docker command builders', () => {
  it('names containers <app>-<env>-<release> and images <app>:<release>', () => {
    expect(containerName('shop', 'staging', '20261127-061500-abc1234')).toBe('shop-staging-20261127-061500-abc1234');
    expect(containerName('my shop', 'staging', 'r/1')).toBe('my-shop-staging-r-1');
    expect(imageRef('Shop', '20261127-061500-abc1234')).toBe('shop:20261127-061500-abc1234');
  });

  it('builds with the release tag and commit/content-hash labels', () => {
    const c = cmd.buildImage(cli, {
      contextDir: '/rel/1', dockerfile: 'Dockerfile', tag: 'shop:r1', app: 'shop', release: 'r1', version: '1.2.0', commit: 'abc1234', contentHash: 'sha256:ff',
    });
    expect(c.file).toBe('docker');
    expect(c.mutates).toBe(true);
    expect(c.args).toEqual([
      'build', '--file', 'Dockerfile', '--tag', 'shop:r1',
      '--label', `${LABELS.app}=shop`, '--label', `${LABELS.release}=r1`, '--label', `${LABELS.version}=1.2.0`,
      '--label', `${LABELS.commit}=abc1234`, '--label', `${LABELS.contentHash}=sha256:ff`,
      '/rel/1',
    ]);
    expect(c.env).toEqual(cli.env);
  });

  it('omits labels it has no value for', () => {
    const c = cmd.buildImage({}, { contextDir: '.', dockerfile: 'D', tag: 't', app: 'a', release: 'r', version: 'v', commit: null, contentHash: null });
    expect(c.args.join(' ')).not.toContain('shipgate.commit');
    expect(c.env).toBeUndefined();
  });

  it('runs green detached, named, labelled, restartable, on loopback only, with a health check and no secret on argv', () => {
    const c = cmd.runContainer(cli, {
      name: 'shop-staging-r2', image: 'shop:r2', app: 'shop', environment: 'staging', release: 'r2', containerPort: 3000,
      envNames: ['DATABASE_URL', 'SESSION_SECRET'],
      envValues: { DATABASE_URL: 'postgres://u:pw-very-secret@db/x', SESSION_SECRET: 's3cr3t-value-123' },
      envFile: '/tmp/x/container.env',
      plainEnv: { RELEASE_ID: 'r2' },
      health: { path: '/health', intervalMs: 500, timeoutMs: 2000, retries: 3 },
      cliEnv: cli.env,
    });
    expect(c.mutates).toBe(true);
    expect(c.args.slice(0, 6)).toEqual(['run', '--detach', '--name', 'shop-staging-r2', '--restart', 'unless-stopped']);
    expect(c.args).toEqual(expect.arrayContaining(['--publish', '127.0.0.1::3000', '--env', 'PORT=3000', '--env', 'RELEASE_ID=r2', '--env-file', '/tmp/x/container.env']));
    expect(c.args).toContain(`${LABELS.environment}=staging`);
    expect(c.args).toContain(`${LABELS.port}=3000`);
    const at = c.args.indexOf('--health-cmd');
    expect(c.args[at + 1]).toBe(cmd.HEALTH_COMMAND_LINE);
    expect(c.args.slice(at - 2, at)).toEqual(['--env', `${cmd.HEALTH_URL_VAR}=http://127.0.0.1:3000/health`]);
    expect(c.args.slice(at + 2, at + 8)).toEqual(['--health-interval', '500ms', '--health-timeout', '2000ms', '--health-retries', '3']);
    expect(c.args.at(-1)).toBe('shop:r2');
    // The names appear bare; the values only in the CLI's environment.
    expect(c.args.filter((a, i) => c.args[i - 1] === '--env')).toEqual(['PORT=3000', 'RELEASE_ID=r2', 'DATABASE_URL', 'SESSION_SECRET', `${cmd.HEALTH_URL_VAR}=http://127.0.0.1:3000/health`]);
    const argv = c.args.join(' ');
    expect(argv).not.toContain('pw-very-secret');
    expect(argv).not.toContain('s3cr3t-value-123');
    expect(c.env).toMatchObject({ PATH: '/usr/bin', DOCKER_HOST: 'ssh://deploy@example', SESSION_SECRET: 's3cr3t-value-123' });
  });

  it('publishes on a chosen loopback port when given one', () => {
    const c = cmd.runContainer({}, { name: 'n', image: 'i', app: 'a', environment: 'e', release: 'r', containerPort: 3000, hostPort: 45001, envNames: [], envValues: {}, cliEnv: {} });
    expect(c.args).toEqual(expect.arrayContaining(['--publish', '127.0.0.1:45001:3000']));
  });

  it('uses the host network instead of publishing when asked', () => {
    const c = cmd.runContainer({}, {
      name: 'n', image: 'i', app: 'a', environment: 'e', release: 'r', containerPort: 41234, envNames: [], envValues: {}, network: 'host', cliEnv: {},
    });
    expect(c.args).toEqual(expect.arrayContaining(['--network', 'host', '--env', 'PORT=41234']));
    expect(c.args).not.toContain('--publish');
    expect(c.args).not.toContain('--health-cmd');
  });

  it('keeps the health path out of the container shell line: a constant line reads it from a variable', () => {
    expect(cmd.HEALTH_COMMAND_LINE).not.toMatch(/127\.0\.0\.1|health\?/);
    expect(cmd.healthUrl(3000, '/healthz?a=1&b=2')).toBe('http://127.0.0.1:3000/healthz?a=1&b=2');
    expect(cmd.healthUrl(3000, "/health';$(id)`id`")).toBe("http://127.0.0.1:3000/health';$(id)`id`");
    expect(() => cmd.healthUrl(3000, '/health check')).toThrow(/health\.path/);
    expect(() => cmd.healthUrl(3000, '/health\nid')).toThrow(/health\.path/);
  });

  it('builds read-only inspect/logs/list commands and mutating stop/rm/tag', () => {
    expect(cmd.inspectContainer({}, 'abc')).toMatchObject({ args: ['container', 'inspect', 'abc'], mutates: false });
    expect(cmd.containerLogs({}, 'abc', 20)).toMatchObject({ args: ['container', 'logs', '--tail', '20', 'abc'], mutates: false });
    expect(cmd.stopContainer({}, 'abc', 30)).toMatchObject({ args: ['container', 'stop', '-t', '30', 'abc'], mutates: true });
    expect(cmd.removeContainer({}, 'abc')).toMatchObject({ args: ['container', 'rm', '--force', '--volumes', 'abc'], mutates: true });
    expect(cmd.listContainers({}, 'shop', 'staging').args).toEqual([
      'container', 'ls', '--all', '--no-trunc', '--filter', 'label=shipgate.app=shop', '--filter', 'label=shipgate.env=staging', '--format', '{{json .}}',
    ]);
    expect(cmd.listImages({}, 'shop')).toMatchObject({ args: ['image', 'ls', '--filter', 'reference=shop', '--format', '{{json .}}'], mutates: false });
    expect(cmd.removeImage({}, 'shop:r1')).toMatchObject({ args: ['image', 'rm', 'shop:r1'], mutates: true });
    expect(cmd.tagImage({}, 'registry/shop:1.2', 'shop:r3')).toMatchObject({ args: ['image', 'tag', 'registry/shop:1.2', 'shop:r3'], mutates: true });
    expect(cmd.updateRestartPolicy({}, 'abc', 'unless-stopped')).toMatchObject({ args: ['container', 'update', '--restart', 'unless-stopped', 'abc'], mutates: true });
    expect(cmd.engineVersion({})).toMatchObject({ args: ['version', '--format', '{{.Server.Version}}'], mutates: false });
  });
});

describe('docker output parsing', () => {
  it('reads state, health, restarts and the loopback host port from inspect', () => {
    const info = parseInspect(
      JSON.stringify([{
        Id: 'c0ffee', Name: '/shop-staging-r1', Image: 'sha256:1', RestartCount: 2,
        Config: { Image: 'shop:r1', Labels: { [LABELS.release]: 'r1' } },
        State: { Status: 'restarting', Running: true, Restarting: true, ExitCode: 3, Health: { Status: 'starting' } },
        NetworkSettings: { Ports: { '3000/tcp': [{ HostIp: '127.0.0.1', HostPort: '49153' }] } },
      }]),
      3000,
    );
    expect(info).toMatchObject({ id: 'c0ffee', name: 'shop-staging-r1', image: 'shop:r1', hostPort: 49153, restartCount: 2, health: 'starting', release: 'r1', restarting: true, exitCode: 3 });
  });

  it('finds the port from the shipgate.port label, and on host networking the port is the host port', () => {
    const raw = (networkMode: string) =>
      JSON.stringify([{
        Id: 'c', Name: '/n', Image: 'sha256:1', Config: { Image: 'i', Labels: { [LABELS.port]: '41000' } }, HostConfig: { NetworkMode: networkMode },
        State: { Status: 'running', Running: true, Restarting: false, ExitCode: 0 },
        NetworkSettings: { Ports: networkMode === 'host' ? {} : { '41000/tcp': [{ HostIp: '127.0.0.1', HostPort: '50001' }] } },
      }]);
    expect(parseInspect(raw('bridge')).hostPort).toBe(50001);
    expect(parseInspect(raw('host')).hostPort).toBe(41000);
    expect(parseInspect(raw('bridge')).health).toBeNull();
  });

  it('reads container rows with their release label', () => {
    const rows = parseContainerRows(`{"ID":"abc","Names":"shop-staging-r1","Image":"shop:r1","State":"running","Status":"Up 2 minutes","Labels":"shipgate.app=shop,shipgate.release=r1","CreatedAt":"x"}\n`);
    expect(rows).toEqual([{ id: 'abc', name: 'shop-staging-r1', image: 'shop:r1', state: 'running', status: 'Up 2 minutes', release: 'r1', createdAt: 'x' }]);
  });

  it('prunes beyond the newest N tags but never a protected one', () => {
    const image = (tag: string) => ({ id: tag, repository: 'shop', tag, createdAt: '' });
    const images = ['20261101-000000-a', '20261103-000000-c', '20261102-000000-b', '20261104-000000-d', '<none>'].map(image);
    expect(selectImagesToPrune(images, 2, []).map((i) => i.tag)).toEqual(['20261102-000000-b', '20261101-000000-a']);
    expect(selectImagesToPrune(images, 2, ['20261101-000000-a']).map((i) => i.tag)).toEqual(['20261102-000000-b']);
  });

  it('sends variables that steer the docker CLI through the env file', () => {
    expect(travelsInEnvFile('DOCKER_HOST')).toBe(true);
    expect(travelsInEnvFile('PATH')).toBe(true);
    expect(travelsInEnvFile('DATABASE_URL')).toBe(false);
  });
});

describe('docker settings', () => {
  const config = { environment: 'staging', env: { values: { SESSION_SECRET: 'x' } } } as unknown as ResolvedEnvironment;

  it('defaults to the Dockerfile, port 3000 and automatic networking; reads docker: when the config has it', () => {
    expect(dockerSettings(config, {})).toEqual({ image: null, dockerfile: 'Dockerfile', port: 3000, network: 'auto' });
    const withDocker = { ...config, docker: { image: 'reg/shop:1', port: 8080 } } as unknown as ResolvedEnvironment;
    expect(dockerSettings(withDocker, { SHIPGATE_DOCKER_NETWORK: 'host' })).toMatchObject({ image: 'reg/shop:1', port: 8080, network: 'host' });
    expect(dockerSettings(config, { SHIPGATE_DOCKER_NETWORK: 'backend' }).network).toEqual({ name: 'backend' });
  });

  it('names the release in plain variables and keeps app values out of them', () => {
    const vars = releaseVariables(config, { id: 'r1', version: '1.0.0', commit: 'abc', contentHash: null });
    expect(vars).toEqual({ RELEASE_ID: 'r1', APP_VERSION: '1.0.0', DEPLOY_RELEASE: 'r1', DEPLOY_VERSION: '1.0.0', DEPLOY_COMMIT: 'abc', DEPLOY_ENVIRONMENT: 'staging' });
    expect(Object.values(vars)).not.toContain('x');
  });
});
