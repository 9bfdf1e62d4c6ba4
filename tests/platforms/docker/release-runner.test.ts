import { afterAll, describe, expect, it } from 'vitest';
import { createExecutor } from '../../../src/exec/executor.js';
import { prepareImage } from '../../../src/platforms/docker/containers.js';
import { imageRef } from '../../../src/platforms/docker/names.js';
import { DockerReleaseRunner } from '../../../src/platforms/docker/release-runner.js';
import { cleanupApp, dockerEngine, fixtureProject, removeDir, testAppName, type Knobs } from '../../helpers/docker.js';

const engine = await dockerEngine();
const app = testAppName('sgr');
const dirs: string[] = [];
const executor = createExecutor();

async function release(id: string, knobs: Knobs = {}) {
  const dir = await fixtureProject(knobs);
  dirs.push(dir);
  await prepareImage({ executor }, { app, release: id, version: '1.0.0', commit: null, contentHash: null, contextDir: dir }, imageRef(app, id));
  return { id, version: '1.0.0', commit: null, contentHash: null };
}

// Host networking works on a bridge engine too, so this covers the fallback for engines started with --bridge=none.
const runner = new DockerReleaseRunner({
  executor, app, environment: 'staging', containerPort: 3000, network: 'host',
  health: { path: '/health', intervalMs: 10_000, timeoutMs: 2_000, retries: 3 },
  env: () => ({ SESSION_SECRET: 'runner-secret-value' }), releaseEnv: (r) => ({ RELEASE_ID: r.id }), runtime: null,
});

describe.skipIf(!engine.ok)('DockerReleaseRunner on a real engine', () => {
  afterAll(async () => {
    await cleanupApp(app);
    await Promise.all(dirs.map(removeDir));
  });

  it('runs a release on host networking, makes only the active one restartable, and stops it', async () => {
    const rel = await release('20261127-010001-host');
    const started = await runner.start(rel);
    expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    let res: Response | null = null;
    for (let i = 0; i < 100 && !res; i++) res = await fetch(`${started.url}/`).catch(() => new Promise<null>((r) => setTimeout(() => r(null), 100)));
    expect(res?.headers.get('x-release')).toBe(rel.id);
    expect(await runner.running(rel.id)).toEqual(started);
    expect(await runner.exitStatus(rel.id)).toBeNull();

    await runner.setActive(rel.id, true);
    expect(await restartPolicy(runner.nameOf(rel.id))).toBe('unless-stopped');
    await runner.setActive(rel.id, false);
    expect(await restartPolicy(runner.nameOf(rel.id))).toBe('no');

    await runner.stop(rel.id, 5_000);
    expect(await runner.running(rel.id)).toBeNull();
    expect(await runner.exitStatus(rel.id)).toMatch(/no container/);
  });

  it.skipIf(engine.network !== 'bridge')('publishes the active release on a fixed loopback port that survives a crash and restart', async () => {
    const bridged = new DockerReleaseRunner({
      executor, app, environment: 'staging', containerPort: 3000, network: 'bridge',
      health: { path: '/health', intervalMs: 10_000, timeoutMs: 2_000, retries: 3 },
      env: () => ({}), releaseEnv: (r) => ({ RELEASE_ID: r.id }), runtime: null,
    });
    const rel = await release('20261127-010003-bridge');
    const started = await bridged.start(rel);
    await waitFor(() => fetch(`${started.url}/health`).then((r) => r.ok, () => false));
    await bridged.setActive(rel.id, true);
    await fetch(`${started.url}/crash`).catch(() => undefined);
    await waitFor(async () => ((await bridged.inspect(rel.id))?.restartCount ?? 0) > 0);
    await waitFor(() => fetch(`${started.url}/health`).then((r) => r.ok, () => false));
    expect(await bridged.running(rel.id)).toEqual(started);
    await bridged.stop(rel.id, 2_000);
  });

  it('reports how a release that crashes on start ended, with its logs', async () => {
    const rel = await release('20261127-010002-crash', { crashOnStart: true });
    await runner.start(rel);
    let status: string | null = null;
    for (let i = 0; i < 100 && !status; i++) {
      status = await runner.exitStatus(rel.id);
      if (!status) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe('exited with code 3');
    expect((await runner.logTail(rel.id, 5)).join('\n')).toContain('crashing on start');
    await runner.stop(rel.id, 1_000);
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function restartPolicy(name: string): Promise<string> {
  const result = await executor.run({ file: 'docker', args: ['container', 'inspect', '--format', '{{.HostConfig.RestartPolicy.Name}}', name], mutates: false });
  return result.stdout.trim();
}
