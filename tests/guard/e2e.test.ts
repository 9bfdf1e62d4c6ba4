import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GuardStatus } from '../../src/platforms/local/guard-extension.js';
import { startLoad } from '../helpers/load.js';
import { createGuardProject, servedBy, waitUntil, type GuardProject } from './helpers/guard-project.js';

/**
 * The post-deploy guard end to end: the real CLI deploys a tiny app to the local platform, returns, and the
 * environment runtime keeps watching. A knob flipped at run time makes the live release fail.
 */
describe('post-deploy guard (local platform, real processes)', { timeout: 240_000 }, () => {
  let project: GuardProject;

  beforeAll(async () => {
    project = await createGuardProject({ guard: '3s' });
  }, 120_000);
  afterAll(async () => {
    await project?.destroy();
  });

  it('expires after its period without a breach and records it', async () => {
    const first = await project.deploy();
    expect(first.exitCode, first.stderr).toBe(0);
    const record = await waitUntil('guard expiry in history', () => project.history().find((r) => r.type === 'guard'), 30_000);
    expect(record).toMatchObject({ type: 'guard', status: 'info', reason: 'guard expired', environment: 'staging' });
    const status = await project.control<GuardStatus>('guard.state');
    expect(status.snapshot?.state).toBe('expired');
    expect(status.active).toBe(first.summary.release.id);
  });

  it('shows its state and time left in deploy status, and deploy guard --stop ends it early', async () => {
    project.configure({ guard: '2m' });
    const run = await project.deploy();
    expect(run.exitCode, run.stderr).toBe(0);
    const status = await project.cli('status', 'staging', '--json');
    expect(status.exitCode, status.stderr).toBe(0);
    const view = JSON.parse(status.stdout) as { guard: { state: string; remainingMs: number; release: string; line: string } };
    expect(view.guard).toMatchObject({ state: 'watching', release: run.summary.release.id });
    expect(view.guard.remainingMs).toBeGreaterThan(0);
    expect(view.guard.remainingMs).toBeLessThanOrEqual(120_000);
    const human = await project.cli('status', 'staging');
    expect(human.stdout).toMatch(/guard: +watching, \d+m \d+s left/);

    const stop = await project.cli('guard', 'staging', '--stop', '--reason', 'done watching');
    expect(stop.exitCode, stop.stderr).toBe(0);
    expect(stop.stdout).toContain('guard of staging stopped');
    const after = await project.control<GuardStatus>('guard.state');
    expect(after.snapshot?.state).toBe('stopped');
    expect(project.history().at(-1)).toMatchObject({ type: 'guard', reason: 'guard stopped', detail: 'stopped: done watching', release: { id: run.summary.release.id } });
    const unknown = await project.cli('guard', 'nosuchenv', '--stop');
    expect(unknown.exitCode).toBe(2);
  });

  it('rolls back to the warm previous release when the live one starts failing after the deploy', async () => {
    const blue = project.state().active!.release;
    const load = startLoad(project.url + '/', { concurrency: 2, maxDurationMs: 200_000 });
    try {
      const run = await project.deploy();
      expect(run.exitCode, run.stderr).toBe(0);
      const green = run.summary.release.id;
      expect(await servedBy(project.url)).toBe(green);
      const watching = await project.control<GuardStatus>('guard.state');
      expect(watching.snapshot?.state).toBe('watching');
      expect(watching.previous).toBe(blue);

      const failedAt = Date.now();
      project.fail(green);
      await waitUntil('traffic back on blue', async () => (await servedBy(project.url)) === blue, 60_000, 20);
      const backAfterMs = Date.now() - failedAt;

      const record = await waitUntil('guard rollback in history', () => project.history().find((r) => r.type === 'guard' && r.status === 'rolled_back'), 30_000);
      expect(record.previous).toBe(blue);
      expect(record.reason).toMatch(/^guard: Error Rate/);
      const errorRate = record.checks?.post.find((c) => c.name === 'Error Rate');
      expect(errorRate).toMatchObject({ ok: false, threshold: expect.stringContaining('1%') });
      // Waited for within health.timeout after the switch, as after a deploy's switch back; not judged on one request.
      expect(record.checks?.post.find((c) => c.name === 'Health (previous)')).toMatchObject({ ok: true, value: expect.stringMatching(/^healthy after \d+ ms$/), threshold: expect.stringMatching(/ healthy within \d+ ms$/) });
      expect(project.state().active?.release).toBe(blue);
      const after = await project.control<GuardStatus>('guard.state');
      expect(after.snapshot?.state).toBe('breached');
      expect(after.snapshot?.decision?.action).toBe('rollback');
      // Default analysis window here is 2s (verify.window), ticks every second: well inside a minute on a busy box.
      expect(backAfterMs).toBeLessThan(60_000);
      // The failed release is drained and stopped.
      await waitUntil('failed release stopped', async () => {
        const apps = await project.control<{ id: string; state: string }[]>('apps.list');
        return apps.find((a) => a.id === green)?.state !== 'running';
      });
    } finally {
      await load.stop();
    }
  });

  it('rolls back a release caught in a crash loop (supervisor restarts counted by the guard)', async () => {
    const run = await project.deploy();
    expect(run.exitCode, run.stderr).toBe(0);
    const green = run.summary.release.id;
    const blue = project.state().previous!.release;
    const before = project.history().length;
    project.fail(`crash:${green}`);
    const record = await waitUntil('crash-loop rollback in history', () => project.history().slice(before).find((r) => r.type === 'guard'), 60_000);
    expect(record).toMatchObject({ status: 'rolled_back', previous: blue });
    expect(record.checks?.post.find((c) => c.name === 'Crash Loop')).toMatchObject({ ok: false, value: expect.stringMatching(/^3 restarts/) });
    expect(await servedBy(project.url)).toBe(blue);
    project.fail();
  });

  it('alerts and does not roll back once the previous release is gone', async () => {
    const load = startLoad(project.url + '/', { concurrency: 2, maxDurationMs: 200_000 });
    try {
      const run = await project.deploy();
      expect(run.exitCode, run.stderr).toBe(0);
      const green = run.summary.release.id;
      const previous = project.state().previous!.release;
      await project.control('apps.stop', { id: previous, timeoutMs: 2_000 });
      const before = project.history().length;
      project.fail(green);
      const record = await waitUntil('guard alert in history', () => project.history().slice(before).find((r) => r.type === 'guard'), 60_000);
      expect(record).toMatchObject({ status: 'failed', previous });
      expect(record.detail).toMatch(/^alert: Error Rate .*not rolled back/);
      expect(await servedBy(project.url)).toBe(green);
      expect(project.state().active?.release).toBe(green);
      const status = await project.control<GuardStatus>('guard.state');
      expect(status.snapshot?.decision?.action).toBe('alert');
    } finally {
      await load.stop();
    }
  });
});
