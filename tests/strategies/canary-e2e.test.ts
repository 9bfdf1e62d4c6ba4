import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLoad, type LoadRecord } from '../helpers/load.js';
import { createExampleProject, servedBy, type ExampleProject } from '../platforms/local/helpers/example-project.js';
import { ensureBuilt } from '../setup/build.js';

/** A client that keeps its cookie and records which release answered each of its requests. */
function stickyClient(url: string, stop: AbortSignal): Promise<string[]> {
  return (async () => {
    const seen: string[] = [];
    let cookie: string | undefined;
    while (!stop.aborted) {
      try {
        const response = await fetch(url, { headers: cookie ? { cookie } : {} });
        await response.arrayBuffer();
        const set = response.headers.get('set-cookie');
        if (set && set.startsWith('shipgate_split=')) cookie = set.split(';')[0];
        const release = response.headers.get('x-release');
        if (release && cookie) seen.push(release);
      } catch {
        // a refused connection during the test's teardown is not a stickiness failure
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    return seen;
  })();
}

/** Share of requests the canary answered between its first and its last answer. */
function exposedShare(records: LoadRecord[], canary: string): { share: number; canary: number; total: number } {
  const sorted = [...records].sort((a, b) => a.startedAt - b.startedAt);
  const first = sorted.findIndex((r) => r.release === canary);
  let last = -1;
  sorted.forEach((r, i) => (r.release === canary ? (last = i) : undefined));
  if (first === -1) return { share: 0, canary: 0, total: 0 };
  const during = sorted.slice(first, last + 1);
  const hits = during.filter((r) => r.release === canary).length;
  return { share: hits / during.length, canary: hits, total: during.length };
}

describe('canary strategy end to end (example app, real CLI, real router)', () => {
  let project: ExampleProject;
  let stable: string;

  beforeAll(async () => {
    await ensureBuilt();
    // A loaded box serves fewer requests per step: a step may go on (verify.extend) until each side has its 20.
    project = await createExampleProject({ windowMs: 2_000, minRequests: 20, verifyExtra: ['extend: 30s'] });
    const config = join(project.dir, 'deploy.config.yaml');
    writeFileSync(config, readFileSync(config, 'utf8').replace('keepWarm: 10m', 'keepWarm: 10m\nstrategy: canary\ncanary: { steps: [10, 50, 100], interval: 1s }'));
    execFileSync('git', ['-c', 'user.email=e2e@example.com', '-c', 'user.name=e2e', 'commit', '-qam', 'canary'], { cwd: project.dir });
    const first = await project.deploy();
    expect(first.exitCode, first.stderr).toBe(0);
    stable = first.summary.release.id;
  }, 180_000);
  afterAll(async () => {
    await project?.destroy();
  });

  it('a good canary reaches 100% step by step; sticky clients never go back to stable', async () => {
    project.commitKnobs({ latencyMs: 0 }, 'good canary');
    const load = startLoad(project.url + '/', { concurrency: 3, maxDurationMs: 150_000, recordAll: true });
    await load.waitFor(20);
    const stop = new AbortController();
    const clients = Array.from({ length: 6 }, () => stickyClient(project.url + '/', stop.signal));
    const run = await project.deploy();
    stop.abort();
    const sequences = await Promise.all(clients);
    const result = await load.stop();
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.summary.status).toBe('success');
    expect(run.summary.strategy).toBe('canary');
    const canary = run.summary.release.id;
    expect(canary).not.toBe(stable);
    const post = run.summary.checks.post.map((c) => `${c.name}:${c.ok}`);
    for (const step of [10, 50]) {
      expect(post).toContain(`Canary ${step}%: Error Rate vs stable:true`);
      expect(post).toContain(`Canary ${step}%: p95 vs stable:true`);
    }
    expect(post).toContain('Canary 100%: Error Rate:true');
    expect(await servedBy(project.url)).toBe(canary);
    expect(project.state().active?.release).toBe(canary);
    expect(result.failed).toBe(0);
    expect(result.byRelease[canary]).toBeGreaterThan(0);
    // Stickiness: once a client is on the canary it stays there (raising the weight only moves clients towards it).
    for (const seq of sequences) {
      const firstCanary = seq.indexOf(canary);
      if (firstCanary !== -1) expect(seq.slice(firstCanary).every((r) => r === canary)).toBe(true);
    }
    stable = canary;
  }, 180_000);

  it('a canary bad at 10% aborts: all traffic back to stable, verified, exit 1, about 10% of requests exposed', async () => {
    // 30%, deterministic: the first three requests (the direct smoke test) pass, then every third or fourth fails.
    project.commitKnobs({ errorRate: 0.3 }, 'bad canary');
    const load = startLoad(project.url + '/', { concurrency: 4, maxDurationMs: 150_000, recordAll: true });
    await load.waitFor(20);
    const run = await project.deploy();
    const before = load.snapshot().total;
    await load.waitFor(before + 20);
    const result = await load.stop();
    expect(run.exitCode, run.stderr).toBe(1);
    expect(run.summary.status).toBe('rolled_back');
    expect(run.summary.rollback).toMatchObject({ performed: true, verified: true });
    expect(run.summary.rollback.reason).toMatch(/^Canary 10%: Error Rate/);
    expect(run.summary.checks.post.some((c) => c.name.startsWith('Canary 50%'))).toBe(false);
    expect(await servedBy(project.url)).toBe(stable);
    expect(project.state().active?.release).toBe(stable);
    const canary = run.summary.release.id;
    const exposure = exposedShare(result.records, canary);
    console.log(
      `bad canary: ${exposure.canary} of ${exposure.total} load requests went to the canary while it ran (${(exposure.share * 100).toFixed(1)}%); ` +
        `${result.failed} failed of ${result.total} in the whole run`,
    );
    expect(exposure.canary).toBeGreaterThan(0);
    expect(exposure.share).toBeLessThan(0.3);
    // After the abort every request goes to stable.
    const end = Math.max(...result.records.filter((r) => r.release === canary).map((r) => r.endedAt));
    expect(result.records.filter((r) => r.startedAt > end + 50).every((r) => r.release === stable)).toBe(true);
  }, 180_000);

  it('deploy promote skips the remaining steps of a running canary', async () => {
    const config = join(project.dir, 'deploy.config.yaml');
    writeFileSync(config, readFileSync(config, 'utf8').replace('interval: 1s', 'interval: 60s'));
    project.commitKnobs({ latencyMs: 1 }, 'slow canary steps');
    const none = await project.cli('promote', 'staging', '--yes');
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain('no canary is running');
    const deploying = project.deploy();
    const running = join(project.dir, '.deploy', 'staging', 'canary-running.json');
    for (let i = 0; !existsSync(running); i++) {
      if (i > 1_200) throw new Error('the canary never started');
      await new Promise((r) => setTimeout(r, 50));
    }
    const promoted = await project.cli('promote', 'staging', '--yes');
    expect(promoted.exitCode, promoted.stderr).toBe(0);
    const run = await deploying;
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.summary.checks.post.find((c) => c.name === 'Canary 10%: Step 10%')).toMatchObject({ ok: true, value: 'promoted by the operator' });
    expect(run.summary.checks.post.some((c) => c.name.startsWith('Canary 50%'))).toBe(false);
    expect(await servedBy(project.url)).toBe(run.summary.release.id);
    expect(run.durationMs).toBeLessThan(60_000);
  }, 180_000);

  it('deploy abort sends all traffic back to stable and the deploy exits 1; progress shows the weight and the step figures', async () => {
    const current = project.state().active!.release;
    project.commitKnobs({ latencyMs: 2 }, 'canary to abort');
    // Human output this time: the progress lines are what an operator watches.
    const deploying = project.cli('staging', '--yes');
    const running = join(project.dir, '.deploy', 'staging', 'canary-running.json');
    for (let i = 0; !existsSync(running); i++) {
      if (i > 1_200) throw new Error('the canary never started');
      await new Promise((r) => setTimeout(r, 50));
    }
    const aborted = await project.cli('abort', 'staging', '--yes');
    expect(aborted.exitCode, aborted.stderr).toBe(0);
    const run = await deploying;
    const output = run.stdout + run.stderr;
    expect(run.exitCode, output).toBe(1);
    expect(output).toContain('canary at 10% (sticky)');
    expect(output).toMatch(/10%: canary \d+ req, [\d.]+% errors, p95 \d+ms; stable \d+ req, [\d.]+% errors, p95 \d+ms — FAILED: Step 10% aborted by the operator/);
    expect(output).toMatch(/traffic back on \S+ in [\d.]+ ms/);
    expect(await servedBy(project.url)).toBe(current);
    expect(existsSync(running)).toBe(false);
  }, 180_000);
});
