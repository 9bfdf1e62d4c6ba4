import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLoad, type LoadResult } from '../../helpers/load.js';
import { connectRouter } from '../../../src/router/client.js';
import type { AppInfo } from '../../../src/platforms/local/supervisor.js';
import { createExampleProject, servedBy, type ExampleProject } from './helpers/example-project.js';

/** The example app deployed with the real CLI, under load: good deploys, failures before the switch, manual rollbacks. */
// Generous: a deploy takes ~10 s on an idle 2-core box, but over a minute when the box is saturated.
describe('local platform: blue-green deploys and manual rollback', { timeout: 300_000 }, () => {
  let project: ExampleProject;
  const releases: string[] = [];

  beforeAll(async () => {
    project = await createExampleProject({ windowMs: 2_000, minRequests: 20, healthDeadline: '5s' });
    const first = await project.deploy();
    expect(first.exitCode, first.stderr).toBe(0);
    releases.push(first.summary.release.id);
  }, 300_000);
  afterAll(async () => {
    await project?.destroy();
  });

  async function underLoad<T>(action: () => Promise<T>): Promise<{ result: T; load: LoadResult }> {
    const load = startLoad(project.url + '/', { concurrency: 4, maxDurationMs: 280_000 });
    await load.waitFor(20);
    const result = await action();
    const before = load.snapshot().total;
    await load.waitFor(before + 20);
    return { result, load: await load.stop() };
  }

  async function apps(): Promise<AppInfo[]> {
    const client = await connectRouter(`${project.dir}/.deploy/staging`);
    try {
      return await client.call<AppInfo[]>('apps.list');
    } finally {
      client.close();
    }
  }

  it('a good deploy switches to green with 0 failed requests and keeps blue warm', async () => {
    const blue = project.state().active!.release;
    project.commitKnobs({ latencyMs: 1 }, 'a harmless change');
    const { result: run, load } = await underLoad(() => project.deploy());
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.summary.status).toBe('success');
    expect(run.summary.checks.post.map((c) => [c.name, c.ok])).toEqual([
      ['Smoke Tests', true],
      ['Error Rate', true],
      ['Response Times', true],
      ['Error Rate vs blue', true],
      ['Client Errors vs blue', true],
      ['p95 vs blue', true],
      ['p99 vs blue', true],
      ['Database', true],
    ]);
    // Green was judged against blue's own traffic before the switch.
    expect(run.summary.verification).toMatchObject({ outcome: 'pass', decision: 'pass', baseline: expect.stringContaining(blue) });
    expect(run.summary.verification!.samples.baseline).toBeGreaterThanOrEqual(run.summary.verification!.samples.required);
    const green = run.summary.release.id;
    releases.push(green);
    expect(load.failed).toBe(0);
    expect(load.byRelease[blue]).toBeGreaterThan(0);
    expect(load.byRelease[green]).toBeGreaterThan(0);
    expect(await servedBy(project.url)).toBe(green);
    expect(project.state()).toMatchObject({ active: { release: green }, previous: { release: blue, running: true } });
    expect(project.history().at(-1)).toMatchObject({ type: 'deploy', status: 'success', verified: true, release: { id: green }, previous: blue });
    const warm = (await apps()).find((a) => a.id === blue) as AppInfo & { warmUntil: string | null };
    expect(warm.state).toBe('running');
    expect(warm.warmUntil).not.toBeNull();
  });

  it('a manual rollback while blue is warm is instant and verified', async () => {
    const [blue, green] = releases.slice(-2);
    const { result: run, load } = await underLoad(() => project.deploy('rollback', 'staging'));
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.summary.rollback).toMatchObject({ performed: true, verified: true });
    expect(run.summary.message).toMatch(new RegExp(`rolled back to ${blue} in [\\d.]+ ms \\(warm\\)`));
    expect(load.failed).toBe(0);
    expect(await servedBy(project.url)).toBe(blue);
    expect(project.state()).toMatchObject({ active: { release: blue }, previous: { release: green } });
    expect(project.history().at(-1)).toMatchObject({ type: 'rollback', status: 'success', release: { id: blue } });
  });

  it('green crashing on start never gets traffic; blue is untouched and the exit code is 1', async () => {
    const blue = project.state().active!.release;
    const upstream = project.state().active!.upstream;
    project.commitKnobs({ crashOnStart: true });
    const { result: run, load } = await underLoad(() => project.deploy());
    expect(run.exitCode, run.stderr).toBe(1);
    expect(run.summary.status).toBe('failed');
    expect(run.summary.rollback.performed).toBe(false);
    expect(run.summary.checks.post[0]).toMatchObject({ name: 'Health', ok: false, value: 'exited with code 1 before it became healthy' });
    expect(run.summary.logTail?.join('\n')).toContain('crashOnStart is set in knobs.json');
    expect(load.failed).toBe(0);
    expect(Object.keys(load.byRelease)).toEqual([blue]);
    expect(project.state().active).toMatchObject({ release: blue, upstream });
    expect(project.history().at(-1)).toMatchObject({ type: 'deploy', status: 'failed', verified: false, release: { id: run.summary.release.id } });
  });

  it('green whose health never passes is stopped at the deadline', async () => {
    const blue = project.state().active!.release;
    project.commitKnobs({ failHealth: true });
    const { result: run, load } = await underLoad(() => project.deploy());
    expect(run.exitCode, run.stderr).toBe(1);
    expect(run.summary.checks.post[0]).toMatchObject({ name: 'Health', ok: false });
    expect(run.summary.checks.post[0]!.value).toMatch(/^not healthy within 5000 ms \(last: GET \/health answered 503\)$/);
    expect(load.failed).toBe(0);
    expect(Object.keys(load.byRelease)).toEqual([blue]);
    expect((await apps()).map((a) => a.id)).not.toContain(run.summary.release.id);
    expect(await servedBy(project.url)).toBe(blue);
  });

  it('a manual rollback to a release that is no longer running starts it first, then switches', async () => {
    const active = project.state().active!.release;
    const cold = releases.find((id) => id !== active)!;
    expect((await apps()).find((a) => a.id === cold && a.state === 'running')).toBeUndefined();
    const { result: run, load } = await underLoad(() => project.deploy('rollback', 'staging', '--to', cold));
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.summary.message).toMatch(new RegExp(`rolled back to ${cold} in [\\d.]+ ms \\(cold start\\)`));
    expect(load.failed).toBe(0);
    expect(await servedBy(project.url)).toBe(cold);
    expect(project.history().at(-1)).toMatchObject({ type: 'rollback', status: 'success', release: { id: cold } });
  });
});
