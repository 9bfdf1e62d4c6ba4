/**
 * DOCKER_HOST=ssh://... : the docker platform drives an engine through SSH exactly as it drives the local
 * socket. The "remote" host is this machine behind a throwaway sshd on 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExecutor } from '../../../src/exec/executor.js';
import { checkEngine, listContainers, prepareImage } from '../../../src/platforms/docker/containers.js';
import { imageRef } from '../../../src/platforms/docker/names.js';
import { DockerReleaseRunner } from '../../../src/platforms/docker/release-runner.js';
import { cleanupApp, dockerEngine, dockerRequired, fixtureProject, removeDir, testAppName } from '../../helpers/docker.js';
import { recordSkipReason } from '../../helpers/skip-reasons.js';
import { sshEngineUnavailable, startSshEngine, type SshEngine } from './ssh-engine.js';

const engine = await dockerEngine();
const noSsh = sshEngineUnavailable();
if (engine.ok && noSsh) {
  if (dockerRequired()) throw new Error(`the DOCKER_HOST=ssh:// test must run here (SHIPGATE_REQUIRE_DOCKER=1 or CI=true), but ${noSsh}`);
  console.warn(`\n!!! SKIPPING the DOCKER_HOST=ssh:// test: ${noSsh} !!!\n`);
  recordSkipReason(`no sshd for DOCKER_HOST=ssh:// (${noSsh})`);
} else if (engine.ok && engine.network !== 'bridge') recordSkipReason('the Docker Engine has no bridge network');
const app = testAppName('sgs');

describe.skipIf(!engine.ok || noSsh !== null || engine.network !== 'bridge')('docker platform through DOCKER_HOST=ssh://', () => {
  let ssh: SshEngine;
  let dir = '';

  beforeAll(async () => {
    ssh = await startSshEngine();
  });
  afterAll(async () => {
    await cleanupApp(app);
    await ssh?.stop();
    if (dir) await removeDir(dir);
  });

  it('builds, runs, inspects, reads logs of and removes a release over ssh', async () => {
    const executor = createExecutor();
    const cli = { env: ssh.env };
    expect(await checkEngine({ executor, cli })).toMatch(/^\d+\./);

    dir = await fixtureProject({});
    const id = '20261127-020000-remote';
    await prepareImage({ executor, cli }, { app, release: id, version: '1', commit: null, contentHash: null, contextDir: dir }, imageRef(app, id));
    const runner = new DockerReleaseRunner({
      executor, cli, app, environment: 'staging', containerPort: 3000, network: 'bridge',
      health: { path: '/health', intervalMs: 10_000, timeoutMs: 2_000, retries: 3 },
      env: () => ({ SESSION_SECRET: 'over-ssh-secret' }), releaseEnv: (r) => ({ RELEASE_ID: r.id }), runtime: null,
    });
    const started = await runner.start({ id, version: '1', commit: null, contentHash: null });
    let res: Response | null = null;
    for (let i = 0; i < 100 && !res; i++) res = await fetch(`${started.url}/`).catch(() => new Promise<null>((r) => setTimeout(() => r(null), 100)));
    expect(res?.headers.get('x-release')).toBe(id);
    expect(await runner.exitStatus(id)).toBeNull();
    expect((await runner.logTail(id, 5)).join('\n')).toContain('listening on 3000');

    // The engine was reached through sshd.
    expect(await ssh.sessions()).toBeGreaterThan(0);
    await runner.stop(id, 2_000);
    expect((await listContainers({ executor, cli }, app, 'staging')).map((c) => c.release)).not.toContain(id);
  });
});
