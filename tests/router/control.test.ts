import { afterEach, describe, expect, it } from 'vitest';
import { stat, readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { z } from 'zod';
import { startRuntime, type Runtime } from '../../src/router/runtime.js';
import { connectRouter, socketPath, type RouterClient } from '../../src/router/client.js';
import { ControlError } from '../../src/router/control-protocol.js';
import { get, startUpstream, tempStateDir } from './helpers.js';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function runtimeIn(dir: string, extensions?: ((runtime: Runtime) => void)[]): Promise<{ runtime: Runtime; client: RouterClient; base: string }> {
  const runtime = await startRuntime({ stateDir: dir, port: 0, host: '127.0.0.1', extensions });
  cleanups.push(() => runtime.shutdown(100));
  const client = await connectRouter(dir);
  cleanups.push(() => client.close());
  return { runtime, client, base: `http://127.0.0.1:${runtime.router.port}` };
}

async function setup() {
  const state = await tempStateDir();
  cleanups.push(state.remove);
  const blueServer = await startUpstream('blue');
  const greenServer = await startUpstream('green');
  cleanups.push(() => blueServer.close(), () => greenServer.close());
  // Plain {id, url} upstreams, as the orchestrator passes them.
  const blue = { id: 'blue', url: blueServer.url };
  const green = { id: 'green', url: greenServer.url };
  return { dir: state.dir, blue, green };
}

async function rejection(promise: Promise<unknown>): Promise<ControlError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ControlError);
    return error as ControlError;
  }
  throw new Error('expected the call to be rejected');
}

describe('control socket', () => {
  it('is a 0600 unix socket and drives the router', async () => {
    const { dir, blue, green } = await setup();
    const { client, base } = await runtimeIn(dir);
    expect((await stat(socketPath(dir))).mode & 0o777).toBe(0o600);

    await client.setActive(blue);
    expect((await get(base)).body).toBe('blue');
    const switched = await client.setActive(green, { drainTimeoutMs: 1000 });
    expect(switched.previous).toEqual(blue);
    expect((await get(base)).body).toBe('green');
    expect(await client.drain('blue', 1000)).toEqual({ drained: true, inFlight: 0 });

    const metrics = await client.metrics('green', 60_000);
    expect(metrics.upstream).toBe('green');
    expect(metrics.requests).toBe(1);
    const status = await client.status();
    expect(status.table.active).toEqual(green);
    expect(status.pid).toBe(process.pid);
  });

  it('rejects bad input clearly and leaves routing unchanged', async () => {
    const { dir, blue } = await setup();
    const { client, base } = await runtimeIn(dir);
    await client.setActive(blue);
    const before = await client.status();

    const badUrl = await rejection(client.call('router.setActive', { upstream: { id: 'green', url: 'not a url' } }));
    expect(badUrl.code).toBe('invalid_params');
    expect(badUrl.message).toContain('params.upstream.url');
    const badPercent = await rejection(client.setWeights({ id: 'green', url: 'http://127.0.0.1:9' }, 150));
    expect(badPercent.message).toContain('params.percent');
    const extraKey = await rejection(client.call('router.setActive', { upstream: blue, force: true }));
    expect(extraKey.message).toContain('force');
    const withPath = await rejection(client.setActive({ id: 'x', url: 'http://127.0.0.1:9/admin' }));
    expect(withPath.message).toContain('http origin');
    const sameAsActive = await rejection(client.setWeights(blue, 10));
    expect(sameAsActive.code).toBe('rejected');
    expect((await rejection(client.call('router.nope'))).code).toBe('unknown_method');
    expect((await rejection(client.metrics('blue', 0))).message).toContain('params.windowMs');

    // A raw line that is not JSON gets an answer too, and the connection stays usable.
    const raw = connect(socketPath(dir));
    const reply = await new Promise<string>((resolve) => {
      raw.once('data', (data) => resolve(data.toString()));
      raw.write('this is not json\n');
    });
    raw.destroy();
    expect(JSON.parse(reply).error.code).toBe('invalid_request');

    const after = await client.status();
    expect(after.table).toEqual(before.table);
    expect((await get(base)).body).toBe('blue');
  });

  it('lets other modules register methods on the same socket', async () => {
    const { dir } = await setup();
    const started: string[] = [];
    const { client } = await runtimeIn(dir, [
      (runtime) =>
        runtime.registry.register('apps.start', z.strictObject({ name: z.string() }), (params) => {
          started.push(params.name);
          return { started: params.name };
        }),
    ]);
    expect(await client.call('apps.start', { name: 'green' })).toEqual({ started: 'green' });
    expect(started).toEqual(['green']);
    expect(await client.call('router.methods')).toContain('apps.start');
    expect((await rejection(client.call('apps.start', { name: 3 }))).message).toContain('params.name');
  });

  it('gives up on a call the router never answers', async () => {
    const { dir } = await setup();
    await runtimeIn(dir, [(runtime) => runtime.registry.register('test.never', z.strictObject({}), () => new Promise(() => undefined))]);
    const impatient = await connectRouter(dir, { callTimeoutMs: 50 });
    cleanups.push(() => impatient.close());
    const error = await rejection(impatient.call('test.never'));
    expect(error.code).toBe('unreachable');
    expect(error.message).toContain('did not answer test.never within 50 ms');
    // The same connection still answers; with a budget of its own, since 50 ms is no promise on a loaded box.
    expect((await impatient.call<{ table: { version: number } }>('router.status', {}, { timeoutMs: 10_000 })).table.version).toBe(0);
  });

  it('restores the routing table after a restart', async () => {
    const { dir, blue, green } = await setup();
    const first = await runtimeIn(dir);
    await first.client.setActive(blue);
    await first.client.setWeights(green, 25, { sticky: true });
    const saved = JSON.parse(await readFile(join(dir, 'router-table.json'), 'utf8'));
    expect(saved.canary).toEqual({ upstream: green, percent: 25, sticky: true });
    first.client.close();
    await first.runtime.shutdown(100);

    const second = await runtimeIn(dir);
    const status = await second.client.status();
    expect(status.table.active).toEqual(blue);
    expect(status.table.canary).toEqual({ upstream: green, percent: 25, sticky: true });
    await second.client.setWeights(green, 0);
    expect((await get(second.base)).body).toBe('blue');
  });
});
