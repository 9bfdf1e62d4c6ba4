import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExecutor } from '../../../src/exec/executor.js';
import {
  checkEngine, inspectContainer, listContainers, logsTail, prepareImage, pruneImages, startContainer, stopAndRemove, waitUntilReady,
} from '../../../src/platforms/docker/containers.js';
import { ContainerStartError } from '../../../src/platforms/docker/errors.js';
import { containerName, imageRef } from '../../../src/platforms/docker/names.js';
import { cleanupApp, dockerEngine, fixtureProject, removeDir, testAppName } from '../../helpers/docker.js';

const engine = await dockerEngine();
const app = testAppName('sgc');
const health = { path: '/health', intervalMs: 200, timeoutMs: 2000, retries: 2 };
const dirs: string[] = [];

async function build(release: string, knobs: Parameters<typeof fixtureProject>[0] = {}) {
  const deps = { executor: createExecutor() };
  const dir = await fixtureProject(knobs);
  dirs.push(dir);
  return prepareImage(deps, { app, release, version: '1.0.0', commit: 'abc1234', contentHash: 'sha256:test', contextDir: dir }, imageRef(app, release));
}

function start(release: string, image: string, env: Record<string, string> = {}) {
  const deps = { executor: createExecutor() };
  const port = 3000;
  return {
    deps,
    port,
    id: startContainer(deps, {
      name: containerName(app, 'staging', release), image, app, environment: 'staging', release, containerPort: port,
      network: engine.network === 'host' ? 'host' : 'bridge', env, plainEnv: { RELEASE_ID: release }, health,
    }),
  };
}

describe.skipIf(!engine.ok)('docker containers on a real engine', () => {
  beforeAll(async () => {
    await checkEngine({ executor: createExecutor() });
  });
  afterAll(async () => {
    await cleanupApp(app);
    await Promise.all(dirs.map(removeDir));
  });

  it('builds an image labelled with commit and content hash, runs it with secrets kept off argv, and stops it', async () => {
    const image = await build('20261127-000001-aaaaaaa');
    const secret = 'pw-' + Math.random().toString(36).slice(2) + '-long-secret';
    const started = start('20261127-000001-aaaaaaa', image, { DATABASE_URL: `postgres://u:${secret}@db/x`, HOME: '/srv/app-home' });
    const id = await started.id;
    const info = await waitUntilReady(started.deps, id, started.port, { deadlineMs: 30_000, intervalMs: 100 });
    expect(info.running).toBe(true);
    expect(info.health).toBe('healthy');
    expect(info.hostPort).toBeGreaterThan(0);

    const base = `http://127.0.0.1:${info.hostPort}`;
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-release')).toBe('20261127-000001-aaaaaaa');
    const sha = (v: string) => createHash('sha256').update(v).digest('hex');
    expect(await (await fetch(`${base}/env-hash?name=DATABASE_URL`)).text()).toBe(sha(`postgres://u:${secret}@db/x`));
    // HOME travels through the 0600 env file (it would steer the docker CLI otherwise).
    expect(await (await fetch(`${base}/env-hash?name=HOME`)).text()).toBe(sha('/srv/app-home'));

    const recorded = started.deps.executor.records.map((r) => r.command).join('\n');
    expect(recorded).toContain('--env DATABASE_URL');
    expect(recorded).not.toContain(secret);

    const labels = await inspectImageLabels(image);
    expect(labels).toMatchObject({ 'shipgate.commit': 'abc1234', 'shipgate.content-hash': 'sha256:test', 'shipgate.release': '20261127-000001-aaaaaaa' });

    const rows = await listContainers(started.deps, app, 'staging');
    expect(rows.map((r) => r.release)).toContain('20261127-000001-aaaaaaa');

    await stopAndRemove(started.deps, id, 5);
    expect((await listContainers(started.deps, app, 'staging')).map((r) => r.id)).not.toContain(id);
    await stopAndRemove(started.deps, id, 5); // already gone: fine
  });

  it('reports a container that crashes on start, with its log tail', async () => {
    const image = await build('20261127-000002-bbbbbbb', { crashOnStart: true });
    const started = start('20261127-000002-bbbbbbb', image);
    const id = await started.id;
    const failure = await waitUntilReady(started.deps, id, started.port, { deadlineMs: 30_000, intervalMs: 100 }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ContainerStartError);
    const error = failure as ContainerStartError;
    expect(['exited', 'restarting']).toContain(error.reason);
    expect(error.logTail.join('\n')).toContain('crashing on start');
    expect((await logsTail(started.deps, id, 5)).join('\n')).toContain('crashing on start');
    await stopAndRemove(started.deps, id, 1);
  });

  it('reports a container whose docker health check fails', async () => {
    const image = await build('20261127-000003-ccccccc', { failHealth: true });
    const started = start('20261127-000003-ccccccc', image);
    const id = await started.id;
    const failure = await waitUntilReady(started.deps, id, started.port, { deadlineMs: 30_000, intervalMs: 100 }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ContainerStartError);
    expect((failure as ContainerStartError).reason).toBe('unhealthy');
    expect((await inspectContainer(started.deps, id, started.port)).health).toBe('unhealthy');
    await stopAndRemove(started.deps, id, 1);
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
    expect(removed).not.toContain(imageRef(app, '20261127-000013-g'));
    expect(removed).not.toContain(imageRef(app, '20261127-000012-f'));
  });
});

async function inspectImageLabels(ref: string): Promise<Record<string, string>> {
  const result = await createExecutor().run({ file: 'docker', args: ['image', 'inspect', '--format', '{{json .Config.Labels}}', ref], mutates: false });
  return JSON.parse(result.stdout) as Record<string, string>;
}
