import { afterAll, describe, expect, it } from 'vitest';
import { createExecutor } from '../../../src/exec/executor.js';
import { ContainerStartError } from '../../../src/platforms/docker/errors.js';
import { createDockerRunner, type ReleaseRef } from '../../../src/platforms/docker/runner.js';
import { cleanupApp, dockerEngine, fixtureProject, removeDir, testAppName } from '../../helpers/docker.js';

const engine = await dockerEngine();
const app = testAppName('sgr');
const dirs: string[] = [];

async function release(id: string, knobs: Parameters<typeof fixtureProject>[0] = {}): Promise<ReleaseRef> {
  const dir = await fixtureProject(knobs);
  dirs.push(dir);
  return { id, version: '1.0.0', commit: 'abc1234', contentHash: null, dir };
}

const runner = (network: 'bridge' | 'host') =>
  createDockerRunner({
    executor: createExecutor(),
    app,
    environment: 'staging',
    network,
    health: { path: '/health', intervalMs: 200, timeoutMs: 2000, deadlineMs: 30_000 },
    stopTimeoutS: 5,
  });

describe.skipIf(!engine.ok)('docker runner on a real engine', () => {
  afterAll(async () => {
    await cleanupApp(app);
    await Promise.all(dirs.map(removeDir));
  });

  it.each(engine.network === 'bridge' ? (['bridge', 'host'] as const) : (['host'] as const))(
    'starts a release on %s networking, serves it on loopback, lists it and stops it',
    async (network) => {
      const r = runner(network);
      const rel = await release(`20261127-01000${network === 'host' ? 1 : 0}-fff`);
      expect(await r.prepare(rel)).toBe(r.imageFor(rel.id));
      const green = await r.start(rel, { SESSION_SECRET: 'runner-secret-value' });
      expect(green.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${green.url}/`);
      expect(res.headers.get('x-release')).toBe(rel.id);
      expect(await r.check(green.id)).toBeNull();
      expect((await r.list()).map((c) => c.id)).toContain(green.id);
      await r.stop(green.id);
      expect((await r.list()).map((c) => c.id)).not.toContain(green.id);
      expect((await r.check(green.id))?.reason).toBe('gone');
    },
  );

  it('removes a green that crashes on start and reports its logs', async () => {
    const r = runner(engine.network);
    const rel = await release('20261127-010002-crash', { crashOnStart: true });
    await r.prepare(rel);
    const error = await r.start(rel, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContainerStartError);
    expect((error as ContainerStartError).logTail.join('\n')).toContain('crashing on start');
    expect((await r.list()).filter((c) => c.release === rel.id)).toEqual([]);
  });
});
