import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode, UserError } from '../../../src/errors.js';
import { createExecutor } from '../../../src/exec/executor.js';
import {
  checkEngine, defaultNetwork, findContainer, imageExists, listContainers, prepareImage, pruneImages, startContainer, stopAndRemove,
} from '../../../src/platforms/docker/containers.js';
import { ImageBuildError } from '../../../src/platforms/docker/errors.js';
import { containerName, imageRef } from '../../../src/platforms/docker/names.js';
import { cleanupApp, dockerEngine, fixtureProject, removeDir, testAppName, type Knobs } from '../../helpers/docker.js';

const engine = await dockerEngine();
const app = testAppName('sgc');
const dirs: string[] = [];

async function build(release: string, knobs: Knobs = {}) {
  const deps = { executor: createExecutor() };
  const dir = await fixtureProject(knobs);
  dirs.push(dir);
  return prepareImage(deps, { app, release, version: '1.0.0', commit: 'abc1234', contentHash: 'sha256:test', contextDir: dir }, imageRef(app, release));
}

describe.skipIf(!engine.ok)('docker containers on a real engine', () => {
  beforeAll(async () => {
    expect(await checkEngine({ executor: createExecutor() })).toMatch(/^\d+\./);
  });
  afterAll(async () => {
    await cleanupApp(app);
    await Promise.all(dirs.map(removeDir));
  });

  it('passes a health path with &, ; and $() to the engine health check as data: the exact target is requested, nothing runs', async () => {
    const target = '/strict-health?a=1&b=2;c=$(id)&d=`id`';
    const release = '20261127-000009-hhhhhhh';
    const image = await build(release, { strictHealthTarget: target });
    const deps = { executor: createExecutor() };
    const id = await startContainer(deps, {
      name: containerName(app, 'staging', release), image, app, environment: 'staging', release, containerPort: 3000,
      network: engine.network, env: {}, plainEnv: { RELEASE_ID: release },
      health: { path: target, intervalMs: 300, timeoutMs: 2000, retries: 2 },
    });
    let info = await findContainer(deps, id);
    for (let i = 0; i < 200 && info?.health !== 'healthy' && info?.health !== 'unhealthy'; i++) {
      await sleep(100);
      info = await findContainer(deps, id);
    }
    // Healthy means the check requested exactly the configured target (the app answers 503 to anything else).
    expect(info).toMatchObject({ running: true, health: 'healthy' });
    const seen = (await (await fetch(`http://127.0.0.1:${info!.hostPort}/health-targets`)).json()) as string[];
    expect(seen.length).toBeGreaterThan(0);
    expect(new Set(seen)).toEqual(new Set([target]));
    await stopAndRemove(deps, id, 5);
    expect(await findContainer(deps, id)).toBeNull();
  }, 120_000);

  it('builds an image labelled with commit and content hash, runs it with secrets kept off argv and a working health check, and stops it', async () => {
    const release = '20261127-000001-aaaaaaa';
    const image = await build(release);
    const deps = { executor: createExecutor() };
    const secret = 'pw-' + Math.random().toString(36).slice(2) + '-long-secret';
    const id = await startContainer(deps, {
      name: containerName(app, 'staging', release), image, app, environment: 'staging', release, containerPort: 3000,
      network: engine.network, env: { DATABASE_URL: `postgres://u:${secret}@db/x`, HOME: '/srv/app-home' }, plainEnv: { RELEASE_ID: release },
      health: { path: '/health', intervalMs: 300, timeoutMs: 2000, retries: 2 },
    });
    // The docker health check (node in a FROM-scratch image, through /bin/sh) must really pass.
    let info = await findContainer(deps, id);
    for (let i = 0; i < 200 && info?.health !== 'healthy'; i++) {
      await sleep(100);
      info = await findContainer(deps, id);
    }
    expect(info).toMatchObject({ running: true, health: 'healthy' });
    expect(info!.hostPort).toBeGreaterThan(0);

    const base = `http://127.0.0.1:${info!.hostPort}`;
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-release')).toBe(release);
    const sha = (v: string) => createHash('sha256').update(v).digest('hex');
    expect(await (await fetch(`${base}/env-hash?name=DATABASE_URL`)).text()).toBe(sha(`postgres://u:${secret}@db/x`));
    // HOME travels through the 0600 env file (in the CLI's environment it would steer the docker CLI).
    expect(await (await fetch(`${base}/env-hash?name=HOME`)).text()).toBe(sha('/srv/app-home'));

    const recorded = deps.executor.records.map((r) => r.command).join('\n');
    expect(recorded).toContain('--env DATABASE_URL');
    expect(recorded).not.toContain(secret);

    const labels = await inspectImageLabels(image);
    expect(labels).toMatchObject({ 'shipgate.commit': 'abc1234', 'shipgate.content-hash': 'sha256:test', 'shipgate.release': release });
    expect((await listContainers(deps, app, 'staging')).map((r) => r.release)).toContain(release);

    await stopAndRemove(deps, id, 5);
    expect(await findContainer(deps, id)).toBeNull();
    await stopAndRemove(deps, id, 5); // already gone: fine

    // Two removers at once (`deploy stop` while the runtime retires a warm release): the engine refuses the
    // second `rm` as "already in progress"; both calls must still succeed, and only once the container is gone.
    const twice = await startContainer(deps, {
      name: containerName(app, 'staging', `${release}-b`), image, app, environment: 'staging', release: `${release}-b`, containerPort: 3000,
      network: engine.network, env: {}, plainEnv: { RELEASE_ID: release },
    });
    await Promise.all([stopAndRemove(deps, twice, 5), stopAndRemove(deps, twice, 5)]);
    expect(await findContainer(deps, twice)).toBeNull();
  });

  it('talks to the engine DOCKER_HOST names, and says which one does not answer (exit 3)', async () => {
    const env = (host: string) => ({ ...(process.env as Record<string, string>), DOCKER_HOST: host });
    const socket = engine.host ?? 'unix:///var/run/docker.sock';
    expect(await checkEngine({ executor: createExecutor(), cli: { env: env(socket) } })).toMatch(/^\d+\./);
    const error = await checkEngine({ executor: createExecutor(), cli: { env: env('unix:///tmp/shipgate-no-engine.sock') } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(ExitCode.precheckFailed);
    expect((error as UserError).message).toContain('DOCKER_HOST=unix:///tmp/shipgate-no-engine.sock');
  });

  it('picks the bridge network when the engine has one, else the host network', async () => {
    expect(await defaultNetwork({ executor: createExecutor() })).toBe(engine.network);
  });

  it('reports a failed docker build with the tail of its output', async () => {
    const dir = await fixtureProject({});
    dirs.push(dir);
    const deps = { executor: createExecutor() };
    const { writeFile } = await import('node:fs/promises');
    await writeFile(`${dir}/Dockerfile`, 'FROM scratch\nCOPY no-such-file /app/\n');
    const error = await prepareImage(deps, { app, release: 'r-bad', version: '1', commit: null, contentHash: null, contextDir: dir }, imageRef(app, 'r-bad')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageBuildError);
    expect((error as ImageBuildError).logTail.join('\n')).toMatch(/no-such-file/);
    expect(await imageExists(deps, imageRef(app, 'r-bad'))).toBe(false);
  });

  it('keeps the newest N images and the protected ones', async () => {
    const deps = { executor: createExecutor() };
    const base = await build('20261127-000010-ddddddd');
    const tags = ['20261127-000011-e', '20261127-000012-f', '20261127-000013-g'];
    for (const tag of tags) await prepareImage(deps, { app, release: tag, version: '1', commit: null, contentHash: null, prebuilt: base }, imageRef(app, tag));
    const removed = await pruneImages(deps, app, 2, ['20261127-000001-aaaaaaa']);
    expect(removed).toContain(imageRef(app, '20261127-000011-e'));
    expect(removed).toContain(imageRef(app, '20261127-000010-ddddddd'));
    expect(removed).not.toContain(imageRef(app, '20261127-000001-aaaaaaa'));
    expect(await imageExists(deps, imageRef(app, '20261127-000013-g'))).toBe(true);
    expect(await imageExists(deps, imageRef(app, '20261127-000012-f'))).toBe(true);
    expect(await imageExists(deps, imageRef(app, '20261127-000011-e'))).toBe(false);
  });
});

async function inspectImageLabels(ref: string): Promise<Record<string, string>> {
  const result = await createExecutor().run({ file: 'docker', args: ['image', 'inspect', '--format', '{{json .Config.Labels}}', ref], mutates: false });
  return JSON.parse(result.stdout) as Record<string, string>;
}
