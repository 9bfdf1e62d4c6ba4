import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { ExitCode, UserError } from '../../src/errors.js';
import { loadDriver } from '../../src/orchestrator/drivers.js';
import type { ProgressEvent } from '../../src/orchestrator/messages.js';
import { runPlan, type RunDeps } from '../../src/orchestrator/run.js';
import type { DeployOutcome, PlatformDriver, PreCheck } from '../../src/orchestrator/types.js';
import { ChildMessageSchema } from '../../src/orchestrator/messages.js';
import { makePlan, SECRET } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function check(name: string, result: { ok: boolean; detail: string; warning?: boolean }, options: { delayMs?: number } = {}): PreCheck & { calls: number } {
  const c = {
    name,
    calls: 0,
    async run() {
      c.calls += 1;
      await sleep(options.delayMs ?? 0);
      return { name, ...result };
    },
  };
  return c;
}

const good: DeployOutcome = {
  status: 'success',
  release: { id: 'r2', version: '1.0.1', commit: 'abc1234', contentHash: 'h2' },
  previousRelease: 'r1',
  post: [{ name: 'Error Rate', ok: true, value: '0%', threshold: '< 1%' }],
  rollback: { performed: false, reason: null },
  verified: true,
};

function fakeDriver(outcome: DeployOutcome | Error = good): PlatformDriver & { deploy: ReturnType<typeof vi.fn> } {
  return {
    name: 'fake',
    deploy: vi.fn(async () => {
      if (outcome instanceof Error) throw outcome;
      return outcome;
    }),
    rollback: vi.fn(async () => good),
    status: vi.fn(),
    stop: vi.fn(async () => ({ stopped: ['router'] })),
  };
}

function deps(over: Partial<RunDeps> & { checks?: PreCheck[]; driver?: PlatformDriver } = {}) {
  const events: ProgressEvent[] = [];
  const released = { count: 0 };
  const d: RunDeps = {
    emit: (e) => events.push(e),
    signal: new AbortController().signal,
    loadDriver: async () => over.driver ?? fakeDriver(),
    loadPreChecks: async () => over.checks ?? [],
    acquireLock: async () => ({ release: async () => void (released.count += 1) }),
    ...over,
  };
  return { d, events, released };
}

describe('runPlan', () => {
  it('runs pre-checks in parallel, then the driver, and records history', async () => {
    const plan = await makePlan();
    const driver = fakeDriver();
    // Each check waits until both have started: run one after the other, they would time out.
    let started = 0;
    const together = (name: string): PreCheck => ({
      name,
      async run() {
        started += 1;
        for (let i = 0; i < 200 && started < 2; i++) await sleep(10);
        return { name, ok: started >= 2, detail: started >= 2 ? 'ran alongside the other' : 'ran alone' };
      },
    });
    const { d, events, released } = deps({ driver, checks: [together('Tests'), together('Env Vars')] });
    const summary = await runPlan(plan, d);
    expect(summary).toMatchObject({ status: 'success', exitCode: 0, release: { id: 'r2' }, rollback: { command: 'deploy rollback staging --to r1' } });
    expect(summary.checks.pre.map((c) => c.name).sort()).toEqual(['Env Vars', 'Tests']);
    expect(driver.deploy).toHaveBeenCalledOnce();
    expect(released.count).toBe(1);
    for (const event of events) expect(ChildMessageSchema.safeParse({ type: 'progress', event }).success).toBe(true);
    const history = readFileSync(join(plan.config.stateDir, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ type: 'deploy', status: 'success', verified: true, release: { id: 'r2', contentHash: 'h2' }, previous: 'r1' });
    expect(readFileSync(join(plan.config.projectRoot, '.deploy', '.gitignore'), 'utf8')).toBe('*\n');
  });

  it('a failed pre-check blocks: exit 3, the driver never runs, no state is written', async () => {
    const plan = await makePlan();
    const driver = fakeDriver();
    const { d, released } = deps({ driver, checks: [check('Tests', { ok: false, detail: '1 of 3 failing: adds' }), check('Git', { ok: true, warning: true, detail: 'dirty' })] });
    const summary = await runPlan(plan, d);
    expect(summary).toMatchObject({ status: 'blocked', exitCode: ExitCode.precheckFailed });
    expect(driver.deploy).not.toHaveBeenCalled();
    expect(existsSync(join(plan.config.stateDir, 'state.json'))).toBe(false);
    expect(released.count).toBe(1);
  });

  it('a pre-check that throws fails with its message, redacted', async () => {
    const plan = await makePlan();
    const boom: PreCheck = { name: 'Migrations', run: async () => { throw new Error(`cannot reach db with ${SECRET}\nstack`); } };
    const summary = await runPlan(plan, deps({ checks: [boom] }).d);
    expect(summary.status).toBe('blocked');
    expect(summary.checks.pre).toEqual([{ name: 'Migrations', ok: false, detail: 'cannot reach db with ***', exitCode: 3 }]);
  });

  it('--dry-run runs every check, loads no driver, takes no lock and writes nothing', async () => {
    const plan = await makePlan({ dryRun: true });
    const tests = check('Tests', { ok: true, detail: 'ok' });
    const rollbackPlan = check('Rollback Plan', { ok: true, detail: 'Generated' });
    const loadDriverSpy = vi.fn();
    const lockSpy = vi.fn();
    const summary = await runPlan(plan, deps({ checks: [tests, rollbackPlan], loadDriver: loadDriverSpy, acquireLock: lockSpy }).d);
    expect(summary).toMatchObject({ status: 'success', dryRun: true, exitCode: 0, plan: { steps: plan.steps.map((s) => s.text) } });
    expect(tests.calls).toBe(1);
    expect(rollbackPlan.calls).toBe(1);
    expect(loadDriverSpy).not.toHaveBeenCalled();
    expect(lockSpy).not.toHaveBeenCalled();
    expect(existsSync(join(plan.config.projectRoot, '.deploy'))).toBe(false);
  });

  it('a held lock gives exit 5 and names the holder; nothing runs', async () => {
    const plan = await makePlan();
    const driver = fakeDriver();
    const tests = check('Tests', { ok: true, detail: 'ok' });
    const summary = await runPlan(
      plan,
      deps({ driver, checks: [tests], acquireLock: async () => { throw new UserError('staging is locked by pid 42 on host', ExitCode.locked); } }).d,
    );
    expect(summary).toMatchObject({ status: 'blocked', exitCode: 5, checks: { pre: [{ name: 'Deploy Lock', ok: false, detail: 'staging is locked by pid 42 on host' }] } });
    expect(tests.calls).toBe(0);
    expect(driver.deploy).not.toHaveBeenCalled();
  });

  it('takes the real lock: a second run while the first holds it exits 5', async () => {
    const plan = await makePlan();
    let second: Awaited<ReturnType<typeof runPlan>> | null = null;
    const slowDriver = fakeDriver();
    slowDriver.deploy.mockImplementation(async () => {
      second = await runPlan(plan, { emit: () => {}, signal: new AbortController().signal, loadDriver: async () => fakeDriver(), loadPreChecks: async () => [] });
      return good;
    });
    const first = await runPlan(plan, { emit: () => {}, signal: new AbortController().signal, loadDriver: async () => slowDriver, loadPreChecks: async () => [] });
    expect(first.exitCode).toBe(0);
    expect(second).toMatchObject({ status: 'blocked', exitCode: 5 });
    expect(existsSync(join(plan.config.stateDir, 'lock'))).toBe(false);
  });

  it('a missing platform driver is a usage error: exit 2, nothing created', async () => {
    // Every platform the schema accepts has a driver now; a plan naming another one stands for a missing driver.
    await expect(loadDriver('heroku')).rejects.toMatchObject({ exitCode: 2, message: 'platform heroku is not available yet' });
    const plan = { ...(await makePlan()), platform: 'heroku' } as unknown as Awaited<ReturnType<typeof makePlan>>;
    const summary = await runPlan(plan, deps({ loadDriver }).d);
    expect(summary).toMatchObject({ status: 'blocked', exitCode: 2, message: 'platform heroku is not available yet' });
    expect(existsSync(join(plan.config.projectRoot, '.deploy'))).toBe(false);
  });

  it('a driver that throws unexpectedly ends in exit 4 with one line, secrets redacted', async () => {
    const plan = await makePlan();
    const summary = await runPlan(plan, deps({ driver: fakeDriver(new Error(`socket hang up near ${SECRET}`)) }).d);
    expect(summary).toMatchObject({ status: 'failed', exitCode: 4 });
    expect(summary.message).toBe('orchestrator error: socket hang up near ***; state may be uncertain, check `deploy status staging`');
  });

  it('rollback and stop go to the driver', async () => {
    const driver = fakeDriver();
    const rollback = await runPlan(await makePlan({ kind: 'rollback', options: { to: 'r1' } }), deps({ driver }).d);
    expect(driver.rollback).toHaveBeenCalledWith(expect.anything(), 'r1');
    expect(rollback.exitCode).toBe(0);
    const stop = await runPlan(await makePlan({ kind: 'stop' }), deps({ driver }).d);
    expect(driver.stop).toHaveBeenCalledOnce();
    expect(stop).toMatchObject({ exitCode: 0, message: 'stopped staging' });
  });
});
