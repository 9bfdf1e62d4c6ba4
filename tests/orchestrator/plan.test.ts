import { describe, expect, it } from 'vitest';
import { runDeadlineMs } from '../../src/orchestrator/plan.js';
import { ParentMessageSchema } from '../../src/orchestrator/messages.js';
import { makePlan, SECRET } from './helpers.js';
import { PRE_CHECK_NAMES } from '../../src/checks/registry.js';

describe('buildPlan', () => {
  it('is pure: the same input gives the same plan', async () => {
    const a = await makePlan();
    expect(a.steps).toEqual((await makePlan()).steps);
    expect(a).toMatchObject({ schemaVersion: 1, kind: 'deploy', environment: 'staging', app: 'shop', platform: 'local', strategy: 'blue-green', dryRun: false, createdAt: '2025-01-02T03:04:05.000Z' });
  });

  it('lists the blue-green steps with the figures that will be used', async () => {
    const steps = (await makePlan()).steps.map((s) => s.text);
    expect(steps[0]).toMatch(/^pre-checks \(parallel\): tests `npm test`, /);
    for (const name of PRE_CHECK_NAMES) expect(steps[0]).toMatch(new RegExp(`[:,] ${name}\\b`));
    expect(steps).toContain('build: `npm ci`');
    expect(steps).toContain('smoke green directly: GET /, GET /api/items');
    expect(steps).toContain('switch http://localhost:4701 from blue to green');
    expect(steps).toContain('verify 30s: error rate < 1%, p95 < 500ms, ≥200 requests, smoke, database');
  });

  it('never carries a secret into the printable steps', async () => {
    const plan = await makePlan();
    expect(plan.config.start).toContain(SECRET);
    const text = plan.steps.map((s) => s.text).join('\n');
    expect(text).not.toContain(SECRET);
    expect(text).toContain('node server.js --token ***');
  });

  it('describes canary steps and sizes the deadline to the rollout', async () => {
    const plan = await makePlan({ config: (await import('./helpers.js')).CONFIG.replace('tests: npm test', 'tests: npm test\nstrategy: canary\ncanary: { steps: [10, 50, 100], interval: 1m }') });
    expect(plan.steps.filter((s) => s.id.startsWith('traffic ')).map((s) => s.text)).toEqual([
      'canary 10% of http://localhost:4701 for 1m, compared with stable',
      'canary 50% of http://localhost:4701 for 1m, compared with stable',
      'promote: 100% of http://localhost:4701 to green, judged alone for 1m',
    ]);
    // A canary's steps judge the traffic: no separate watch window follows (it never ran).
    expect(plan.steps.map((s) => s.id)).not.toContain('verify');
    expect(plan.deadlineMs).toBeGreaterThan(3 * 60_000);
    expect(runDeadlineMs(plan.config, 'deploy', true)).toBeLessThan(plan.deadlineMs);
  });

  it('is a valid start message', async () => {
    expect(ParentMessageSchema.safeParse({ type: 'start', plan: await makePlan() }).success).toBe(true);
    expect(ParentMessageSchema.safeParse({ type: 'start', plan: { kind: 'deploy' } }).success).toBe(false);
  });
});
