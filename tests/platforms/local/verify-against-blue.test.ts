import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLoad, type LoadHandle } from '../../helpers/load.js';
import { createExampleProject, servedBy, type CliRun, type ExampleProject } from './helpers/example-project.js';

/**
 * Green judged against blue (docs/verification.md): the example app deployed with the real CLI under load, with
 * releases that stay under every absolute limit but are clearly worse than the release they replace.
 * The two groups below run side by side, each on its own copy of the example app (own port); within a group the
 * cases run in order.
 */
describe('local platform: verification relative to blue', { timeout: 300_000, concurrent: true }, () => {
  let project: ExampleProject;

  beforeAll(async () => {
    // Smoke only GET /: the lost routes must be caught by the comparison, not by a smoke test.
    project = await createExampleProject({ windowMs: 3_000, minRequests: 40, smoke: '["GET /"]' });
    // Every release of this group answers after about 20 ms, so blue is never faster than green by design: a 0 ms
    // blue against a 20 ms green has a p99 gap above the 50 ms margin on a loaded machine.
    project.commitKnobs({ latencyMs: 20 });
    const first = await project.deploy();
    expect(first.exitCode, first.stderr).toBe(0);
  }, 300_000);
  afterAll(async () => {
    await project?.destroy();
  });

  async function deployUnderLoad(paths: string[]): Promise<CliRun> {
    const loads: LoadHandle[] = paths.map((path) => startLoad(project.url + path, { concurrency: 2, maxDurationMs: 280_000 }));
    await Promise.all(loads.map((l) => l.waitFor(20)));
    const run = await project.deploy();
    await Promise.all(loads.map((l) => l.stop()));
    return run;
  }

  function expectRolledBackBy(run: CliRun, blue: string, names: string[]) {
    expect(run.exitCode, run.stderr).toBe(1);
    expect(run.summary.status).toBe('rolled_back');
    expect(run.summary.rollback).toMatchObject({ performed: true, verified: true });
    const failed = run.summary.checks.post.filter((c) => !c.ok).map((c) => c.name);
    expect(failed.some((name) => names.includes(name)), JSON.stringify(run.summary.checks.post)).toBe(true);
    expect(run.summary.verification).toMatchObject({ outcome: 'fail', decision: 'fail', baseline: expect.stringContaining(blue) });
    expect(project.state().active?.release).toBe(blue);
  }

  it.sequential('rolls back a release whose every route but / and /health answers 404, by the 4xx comparison with blue', async () => {
    const blue = project.state().active!.release;
    project.commitKnobs({ lostRoutes: true, latencyMs: 20 });
    const run = await deployUnderLoad(['/', '/api/items']);
    expectRolledBackBy(run, blue, ['Client Errors vs blue', '404s vs blue']);
    // No absolute limit was broken: the 404s are not 5xx, and / still answers.
    // (An early decision lists only the checks already decided: Error Rate may not be among them yet.)
    const failedNames = run.summary.checks.post.filter((c) => !c.ok).map((c) => c.name);
    expect(failedNames).not.toContain('Error Rate');
    expect(failedNames).not.toContain('Smoke Tests');
    expect(await servedBy(project.url)).toBe(blue);
  });

  it.sequential('rolls back a release whose p95 rose from about 20 ms to 300 ms, under the 500 ms limit', async () => {
    const blue = project.state().active!.release;
    project.commitKnobs({ latencyMs: 300 });
    const run = await deployUnderLoad(['/', '/api/items']);
    expectRolledBackBy(run, blue, ['p95 vs blue', 'p99 vs blue']);
    const absolute = run.summary.checks.post.find((c) => c.name === 'Response Times');
    if (absolute) expect(absolute.ok).toBe(true);
  });
});

/** A paced client: `perSecond` requests a second, one at a time, until stopped. */
function paced(url: string, perSecond: number): () => Promise<number> {
  let stopped = false;
  let sent = 0;
  const loop = (async () => {
    while (!stopped) {
      await fetch(url).then((r) => r.arrayBuffer(), () => undefined);
      sent++;
      await sleep(1000 / perSecond);
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    return sent;
  };
}

describe('local platform: inconclusive verification on low traffic', { timeout: 300_000, concurrent: true }, () => {
  let project: ExampleProject;
  const config = () => join(project.dir, 'deploy.config.yaml');
  const setVerify = (lines: string[]) => {
    const text = readFileSync(config(), 'utf8').replace(/\n {2}(probe|extend|onInconclusive): .*/g, '');
    writeFileSync(config(), text.replace('\nverify:\n', `\nverify:\n${lines.map((l) => `  ${l}\n`).join('')}`));
  };

  beforeAll(async () => {
    project = await createExampleProject({ windowMs: 2_000, minRequests: 50, smoke: '["GET /"]' });
    const first = await project.deploy();
    expect(first.exitCode, first.stderr).toBe(0);
    // From now on no probe traffic: what the release gets is 5 requests a second.
    setVerify(['probe: false', 'extend: 2s']);
  }, 300_000);
  afterAll(async () => {
    await project?.destroy();
  });

  async function deployAt5rps(): Promise<CliRun> {
    const stop = paced(project.url + '/', 5);
    const run = await project.deploy();
    await stop();
    return run;
  }

  it.sequential('ends inconclusive and rolls back by default, saying so with the sample counts', async () => {
    const blue = project.state().active!.release;
    project.commitKnobs({}, 'an ordinary change');
    const run = await deployAt5rps();
    expect(run.exitCode, run.stderr).toBe(1);
    expect(run.summary.status).toBe('rolled_back');
    const v = run.summary.verification!;
    expect(v).toMatchObject({ outcome: 'inconclusive', decision: 'inconclusive: rollback' });
    expect(v.samples.required).toBe(50);
    expect(v.samples.candidate).toBeLessThan(50);
    expect(v.extendedMs).toBeGreaterThan(0);
    expect(run.summary.checks.post.filter((c) => !c.ok).every((c) => c.inconclusive)).toBe(true);
    expect(run.summary.rollback.reason).toMatch(/^Verification inconclusive after [\d.]+s \(green \d+ requests, blue \d+; 50 needed/);
    expect(project.state().active?.release).toBe(blue);
    const human = await project.cli('history', 'staging');
    expect(human.exitCode).toBe(0);
  });

  it.sequential('onInconclusive: hold leaves green serving with blue warm and exits 4 for a human', async () => {
    setVerify(['probe: false', 'extend: 1s', 'onInconclusive: hold']);
    const blue = project.state().active!.release;
    project.commitKnobs({}, 'another change');
    const run = await deployAt5rps();
    expect(run.exitCode, run.stderr).toBe(4);
    expect(run.summary.verification).toMatchObject({ outcome: 'inconclusive', decision: 'inconclusive: hold' });
    expect(run.summary.message).toMatch(/needs a human; `deploy rollback staging` returns to/);
    const green = run.summary.release.id;
    expect(await servedBy(project.url)).toBe(green);
    // History is honest about exit 4: needs a human, and what.
    expect(project.history().at(-1)).toMatchObject({ type: 'deploy', verified: false, release: { id: green }, exitCode: 4, needsHuman: expect.stringContaining('verification inconclusive') });
    expect((await project.cli('history', 'staging')).stdout).toMatch(/🆘 needs a human .*what: verification inconclusive/);
    const back = await project.deploy('rollback', 'staging');
    expect(back.exitCode, back.stderr).toBe(0);
    expect(await servedBy(project.url)).toBe(blue);
  });

  it.sequential('onInconclusive: promote keeps the release but records it as not verified', async () => {
    setVerify(['probe: false', 'extend: 1s', 'onInconclusive: promote']);
    project.commitKnobs({}, 'a third change');
    const run = await deployAt5rps();
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.summary.status).toBe('success');
    expect(run.summary.verification).toMatchObject({ outcome: 'inconclusive', decision: 'inconclusive: promote' });
    expect(run.summary.message).toMatch(/kept but NOT verified/);
    expect(project.history().at(-1)).toMatchObject({ type: 'deploy', status: 'success', verified: false });
  });
});
