import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../src/orchestrator/messages.js';
import { runPlan } from '../../src/orchestrator/run.js';
import type { DeployOutcome, PlatformDriver } from '../../src/orchestrator/types.js';
import { makePlan } from './helpers.js';

const outcome = (over: Partial<DeployOutcome>): DeployOutcome => ({
  status: 'success',
  release: { id: 'r2', version: '1.0.1', commit: 'abc1234', contentHash: null },
  previousRelease: 'r1',
  post: [],
  rollback: { performed: false, reason: null },
  verified: true,
  ...over,
});

/** A real hook script in the project: it writes what it was told to a file, so the test sees that it ran and with what. */
function installHook(root: string, hook: string, exitCode = 0): string {
  const dir = join(root, '.deploy', 'hooks');
  mkdirSync(dir, { recursive: true });
  const out = join(root, `${hook}.out`);
  writeFileSync(join(dir, hook), `#!/bin/sh\necho "$DEPLOY_STATUS $DEPLOY_RELEASE $DEPLOY_ENVIRONMENT" > ${JSON.stringify(out)}\nexit ${exitCode}\n`);
  chmodSync(join(dir, hook), 0o755);
  return out;
}

async function run(kind: 'deploy' | 'rollback', result: DeployOutcome, hooks: Array<[string, number?]>) {
  const plan = await makePlan({ kind, options: { to: kind === 'rollback' ? 'r1' : null } });
  const outs = Object.fromEntries(hooks.map(([hook, code]) => [hook, installHook(plan.config.projectRoot, hook, code)]));
  const driver: PlatformDriver = { name: 'fake', deploy: async () => result, rollback: async () => result, status: async () => ({ url: '', active: null, previous: null }), stop: async () => ({ stopped: [] }) };
  const events: ProgressEvent[] = [];
  const summary = await runPlan(plan, { emit: (e) => events.push(e), signal: new AbortController().signal, loadDriver: async () => driver, loadPreChecks: async () => [], acquireLock: async () => ({ release: async () => undefined }) });
  return { summary, events, outs, plan };
}

describe('post-deploy and post-rollback hooks (docs/pre-checks.md)', () => {
  it('post-deploy runs after a deploy that succeeded, with the release in DEPLOY_*; it is a step of the plan', async () => {
    const { summary, outs, plan } = await run('deploy', outcome({}), [['post-deploy'], ['post-rollback']]);
    expect(summary.status).toBe('success');
    expect(readFileSync(outs['post-deploy']!, 'utf8').trim()).toBe('success r2 staging');
    expect(() => readFileSync(outs['post-rollback']!)).toThrow();
    const planned = plan.steps.find((s) => s.id === 'post-deploy')!.text;
    expect(summary.executed).toContain(planned);
  });

  it('post-rollback runs after an automatic rollback, and after deploy rollback', async () => {
    const rolledBack = outcome({ status: 'rolled_back', rollback: { performed: true, reason: 'Error Rate 5%', verified: true }, verified: false, exitCode: 1 });
    const auto = await run('deploy', rolledBack, [['post-deploy'], ['post-rollback']]);
    expect(readFileSync(auto.outs['post-rollback']!, 'utf8').trim()).toBe('rolled_back r2 staging');
    expect(() => readFileSync(auto.outs['post-deploy']!)).toThrow();
    const manual = await run('rollback', outcome({ rollback: { performed: true, reason: 'manual rollback', verified: true } }), [['post-rollback']]);
    expect(readFileSync(manual.outs['post-rollback']!, 'utf8').trim()).toBe('success r2 staging');
  });

  it('a failing hook is a warning: traffic already moved, the run keeps its outcome', async () => {
    const { summary, events } = await run('deploy', outcome({}), [['post-deploy', 7]]);
    expect(summary).toMatchObject({ status: 'success', exitCode: 0 });
    expect(events).toContainEqual(expect.objectContaining({ phase: 'hooks', state: 'warn', message: expect.stringContaining('post-deploy hook: failed (exit 7)') }));
  });
});
