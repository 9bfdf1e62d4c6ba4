import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature, type WebhookBody } from '../../src/notify/index.js';
import { createGuardProject, waitUntil, type GuardProject } from '../guard/helpers/guard-project.js';
import { startReceiver } from './receiver.js';

const SECRET_NAME = 'SHIPGATE_E2E_HOOK_SECRET';
const SECRET = 'e2e-hook-secret-9f1c2a7d3b';

/** Notifications from a real deploy (orchestrator process) and its guard (environment runtime) to a real HTTP receiver. */
describe('notifications during a real deploy', { timeout: 240_000 }, () => {
  let project: GuardProject;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    process.env[SECRET_NAME] = SECRET;
    // The first request fails with a 500: it is retried (same delivery id) and then delivered.
    receiver = await startReceiver([{ status: 500, body: 'try again' }, { status: 200, body: 'ok' }]);
    project = await createGuardProject({ guard: '3s' });
    project.configure({ guard: '3s', extra: ['notify:', `  webhooks: [{ url: "${receiver.url}/hooks/deploys", secretEnv: ${SECRET_NAME} }]`] });
  }, 120_000);
  afterAll(async () => {
    await project?.destroy();
    await receiver?.close();
    delete process.env[SECRET_NAME];
  });

  it('signs every event, retries after a 500, and the guard reports its expiry from the runtime', async () => {
    const run = await project.deploy();
    expect(run.exitCode, run.stderr).toBe(0);
    const bodies = () => receiver.received.map((r) => ({ ...r, json: JSON.parse(r.body) as WebhookBody }));
    await waitUntil('guard.expired delivered', () => bodies().some((b) => b.json.type === 'guard.expired'), 60_000);

    const all = bodies();
    for (const request of all) {
      expect(verifySignature(request.body, SECRET, request.headers['x-shipgate-signature'] as string)).toBe(true);
      expect(request.body).not.toContain(SECRET);
      expect(request.headers['x-shipgate-event']).toBe(request.json.type);
      expect(request.json.schema).toBe('shipgate.notification/v1');
      expect(request.json.environment).toBe('staging');
    }
    const started = all.filter((b) => b.json.type === 'deploy.started');
    expect(started).toHaveLength(2);
    expect(started[0].json.deliveryId).toBe(started[1].json.deliveryId);
    const succeeded = all.find((b) => b.json.type === 'deploy.succeeded');
    expect(succeeded?.json).toMatchObject({ status: 'success', app: 'guardapp', release: { id: run.summary.release.id } });
    expect(succeeded?.json.figures.length).toBeGreaterThan(0);
    // The first deploy of the environment: nothing was replaced.
    expect(succeeded?.json.shipped).toMatchObject({ kind: 'first', from: null, to: run.summary.release.commit });
    expect(run.summary.shipped).toMatchObject({ kind: 'first' });
    const expired = all.find((b) => b.json.type === 'guard.expired');
    expect(expired?.json).toMatchObject({ status: 'expired', release: { id: run.summary.release.id } });
    expect(project.history().filter((r) => r.type === 'notify-failure')).toEqual([]);
  });

  it('a receiver that keeps failing neither blocks nor fails the deploy; the failure lands in history', async () => {
    const failing = await startReceiver([{ status: 503, body: 'down' }]);
    try {
      project.configure({ guard: '1m', extra: ['notify:', `  webhooks: [{ url: "${failing.url}/hook", secretEnv: ${SECRET_NAME}, events: [deploy.succeeded] }]`] });
      const started = Date.now();
      const run = await project.deploy();
      expect(run.exitCode, run.stderr).toBe(0);
      // Retries back off 1s, 2s, 4s; the run waits at most its 3s flush for them.
      expect(failing.received.length).toBeGreaterThanOrEqual(1);
      const failure = project.history().find((r) => r.type === 'notify-failure');
      expect(failure).toMatchObject({ status: 'failed', environment: 'staging', release: { id: run.summary.release.id } });
      expect(failure?.reason).toMatch(/^webhooks\[0\] \(http:\/\/127\.0\.0\.1:\d+\): deploy\.succeeded not delivered after \d attempts?/);
      expect(failure?.reason).not.toContain(SECRET);
      // The second deploy ships the config commit made since the first one: summary and history say so.
      const shipped = { kind: 'diff', commits: { count: 1, removed: 0, first: [{ subject: 'guard 1m' }] }, migrations: [], dependencies: { lockfiles: [] } };
      expect(run.summary.shipped).toMatchObject(shipped);
      const record = project.history().find((r) => r.type === 'deploy' && r.release?.id === run.summary.release.id);
      expect(record?.shipped).toMatchObject({ ...shipped, from: { release: project.history().find((r) => r.type === 'deploy')?.release?.id } });
      expect(Date.now() - started).toBeLessThan(120_000);
      await project.cli('guard', 'staging', '--stop');
    } finally {
      await failing.close();
    }
  });
});
