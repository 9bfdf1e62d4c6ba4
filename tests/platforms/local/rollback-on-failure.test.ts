import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLoad, type LoadResult } from '../../helpers/load.js';
import { createExampleProject, servedBy, type ExampleProject } from './helpers/example-project.js';

/**
 * Bad releases of the example app (knobs committed to it) deployed under load with the real CLI.
 * Each one gets traffic, fails post-deployment verification, and traffic returns to the warm blue.
 */
// Generous: a deploy takes ~10 s on an idle 2-core box, but over a minute when the box is saturated.
describe('local platform: automatic rollback after the switch', { timeout: 300_000 }, () => {
  let project: ExampleProject;
  let blue: string;

  beforeAll(async () => {
    project = await createExampleProject({ windowMs: 3_000, minRequests: 20 });
    const first = await project.deploy();
    expect(first.exitCode, first.stderr).toBe(0);
    blue = first.summary.release.id;
  }, 300_000);
  afterAll(async () => {
    await project?.destroy();
  });

  async function deployUnderLoad(concurrency = 4): Promise<{ run: Awaited<ReturnType<ExampleProject['deploy']>>; load: LoadResult }> {
    const load = startLoad(project.url + '/', { concurrency, maxDurationMs: 280_000 });
    await load.waitFor(20);
    const run = await project.deploy();
    // A few more requests after the CLI returned: they must all go to blue.
    const before = load.snapshot().total;
    await load.waitFor(before + 20);
    return { run, load: await load.stop() };
  }

  function expectRolledBack(run: Awaited<ReturnType<ExampleProject['deploy']>>, check: string | string[]) {
    expect(run.exitCode, run.stderr).toBe(1);
    expect(run.summary.status).toBe('rolled_back');
    expect(run.summary.rollback).toMatchObject({ performed: true, verified: true });
    const checks = Array.isArray(check) ? check : [check];
    expect(run.summary.checks.post.find((c) => checks.includes(c.name) && !c.ok), JSON.stringify(run.summary.checks.post)).toBeDefined();
    // The summary names the failed check with its measured value and its threshold.
    const failed = run.summary.checks.post.find((c) => !c.ok)!;
    expect(run.summary.rollback.reason).toBe(`${failed.name} ${failed.value} (threshold ${failed.threshold})`);
    expect(run.summary.message).toMatch(new RegExp(`traffic back on ${blue} in [\\d.]+ ms`));
    const last = project.history().at(-1)!;
    expect(last).toMatchObject({ type: 'deploy', status: 'rolled_back', verified: false, release: { id: run.summary.release.id } });
    expect(project.state().active?.release).toBe(blue);
  }

  it('rolls back a release that answers 5% of requests with 500s; failures come only from green, bounded', async () => {
    project.commitKnobs({ errorRate: 0.05 });
    const { run, load } = await deployUnderLoad();
    // The error rate of green's real traffic, or a smoke request through the router that drew one of green's
    // 500s first: the load decides which request lands on a failing one, and either check must roll back.
    expectRolledBack(run, ['Error Rate', 'Smoke Tests']);
    const green = run.summary.release.id;
    expect(await servedBy(project.url)).toBe(blue);
    // Green had traffic; every failed request was answered by green (its 500s), none outside its time on the router.
    const servedByGreen = load.byRelease[green] ?? 0;
    expect(servedByGreen).toBeGreaterThan(0);
    expect(load.failures.every((f) => f.status === 500 && f.release === green)).toBe(true);
    expect(load.failures.length).toBeLessThanOrEqual(Math.ceil(servedByGreen * 0.05) + 1);
    expect(load.byRelease[blue]).toBeGreaterThan(0);
  });

  it('rolls back a release whose p95 is over 500 ms, without failed requests', async () => {
    project.commitKnobs({ latencyMs: 700 });
    const { run, load } = await deployUnderLoad(8);
    expectRolledBack(run, 'Response Times');
    expect(run.summary.checks.post.find((c) => c.name === 'Response Times')?.value).toMatch(/^\d+ms p95/);
    expect(load.failed).toBe(0);
    expect(await servedBy(project.url)).toBe(blue);
  });

  it('rolls back when the database becomes unreachable after the switch', async () => {
    // After 40 requests: past the direct smoke test, so the database goes away once green has traffic.
    project.commitKnobs({ dbFailAfterRequests: 40 });
    const { run, load } = await deployUnderLoad();
    // Whichever notices first: the database check, or a smoke test of an endpoint that needs the database
    // (the app answers 503 there, and on /health, once its database is gone).
    expectRolledBack(run, ['Database', 'Smoke Tests']);
    const failed = run.summary.checks.post.find((c) => !c.ok)!;
    expect(`${failed.value}`).toMatch(failed.name === 'Database' ? /unreachable/ : /got 503/);
    expect(load.failed).toBe(0);
    expect(await servedBy(project.url)).toBe(blue);
  });
});
